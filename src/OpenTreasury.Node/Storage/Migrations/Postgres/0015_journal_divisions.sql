-- PostgreSQL form of ../0015_journal_divisions.sql: the same rewrite of the keys posted before.
UPDATE finance_journal
SET voucher_ref = (SELECT v.adm_div_code FROM vouchers v WHERE v.id = finance_journal.source_voucher_id) || '/' || voucher_ref
WHERE voucher_ref NOT LIKE '%/%';
