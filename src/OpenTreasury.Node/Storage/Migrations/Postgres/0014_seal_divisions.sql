-- PostgreSQL form of ../0014_seal_divisions.sql: the same column and check.
ALTER TABLE seals ADD COLUMN adm_div_code TEXT COLLATE "C" CHECK (adm_div_code IS NULL OR length(adm_div_code) = 6);
