-- Runs once, when the postgres volume is empty (docker-entrypoint-initdb.d).
-- One database per service; each service's migrate one-shot creates its tables.
CREATE DATABASE jingzhun_registry;
CREATE DATABASE jingzhun_funds;
CREATE DATABASE jingzhun_pairing;
CREATE DATABASE jingzhun_inspection;
