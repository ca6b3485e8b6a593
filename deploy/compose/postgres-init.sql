-- Runs once, when the postgres volume is empty (docker-entrypoint-initdb.d), as the superuser.
-- One database per service and two roles per service (docs/OPERATIONS.md, "Secrets and roles"):
--   <svc>_owner  owns the database and its tables: the migrate one-shot connects as it;
--   <svc>_app    the running service: reads and writes rows, cannot create, alter or drop
--                anything (`jingzhun migrate <svc> --app-role <svc>_app` grants it the rows).
-- Passwords come from the postgres container's environment (docker-compose.yml, .env); psql's
-- \getenv reads them (postgres:16's psql). No role may reach another service's database.

\getenv registry_owner_password REGISTRY_DB_OWNER_PASSWORD
\getenv registry_app_password REGISTRY_DB_APP_PASSWORD
CREATE ROLE registry_owner LOGIN PASSWORD :'registry_owner_password';
CREATE ROLE registry_app LOGIN PASSWORD :'registry_app_password';
CREATE DATABASE jingzhun_registry OWNER registry_owner;
REVOKE ALL ON DATABASE jingzhun_registry FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE jingzhun_registry TO registry_app;

\getenv funds_owner_password FUNDS_DB_OWNER_PASSWORD
\getenv funds_app_password FUNDS_DB_APP_PASSWORD
CREATE ROLE funds_owner LOGIN PASSWORD :'funds_owner_password';
CREATE ROLE funds_app LOGIN PASSWORD :'funds_app_password';
CREATE DATABASE jingzhun_funds OWNER funds_owner;
REVOKE ALL ON DATABASE jingzhun_funds FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE jingzhun_funds TO funds_app;

\getenv pairing_owner_password PAIRING_DB_OWNER_PASSWORD
\getenv pairing_app_password PAIRING_DB_APP_PASSWORD
CREATE ROLE pairing_owner LOGIN PASSWORD :'pairing_owner_password';
CREATE ROLE pairing_app LOGIN PASSWORD :'pairing_app_password';
CREATE DATABASE jingzhun_pairing OWNER pairing_owner;
REVOKE ALL ON DATABASE jingzhun_pairing FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE jingzhun_pairing TO pairing_app;

\getenv inspection_owner_password INSPECTION_DB_OWNER_PASSWORD
\getenv inspection_app_password INSPECTION_DB_APP_PASSWORD
CREATE ROLE inspection_owner LOGIN PASSWORD :'inspection_owner_password';
CREATE ROLE inspection_app LOGIN PASSWORD :'inspection_app_password';
CREATE DATABASE jingzhun_inspection OWNER inspection_owner;
REVOKE ALL ON DATABASE jingzhun_inspection FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE jingzhun_inspection TO inspection_app;
