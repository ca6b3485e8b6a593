"""The public notice board (公示栏): identification and exit notices of a village, without login."""
