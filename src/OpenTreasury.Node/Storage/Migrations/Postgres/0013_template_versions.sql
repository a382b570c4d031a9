-- PostgreSQL form of ../0013_template_versions.sql: the same column and check.
ALTER TABLE vouchers ADD COLUMN template_version BIGINT NOT NULL DEFAULT 1 CHECK (template_version >= 1);
