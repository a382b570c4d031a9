-- PostgreSQL form of ../0012_user_divisions.sql: the same column and check.
ALTER TABLE users ADD COLUMN adm_div_code TEXT COLLATE "C" CHECK (adm_div_code IS NULL OR length(adm_div_code) = 6);
