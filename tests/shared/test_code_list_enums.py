"""A code list the code names no code of is an enum of its name alone: its members come from the list."""

from __future__ import annotations

import pytest

from services.registry.vocabulary import LISTS, Batch, Sex
from shared.vocabulary import Labelled


def test_an_enum_by_its_name_alone_has_the_lists_codes_and_takes_their_labels() -> None:
    assert [m.value for m in Batch] == list(LISTS["batch"])
    assert Sex("男") is Sex("male")
    assert Sex("female").label == "女"
    assert (Batch.__doc__ or "").startswith("帮扶批次")  # the document still describes it


def test_an_enum_that_names_codes_takes_them_from_the_list_through_labels() -> None:
    with pytest.raises(ValueError, match="use labels"):

        @LISTS.members("sex")
        class Sexes(Labelled):
            MALE = "male"
