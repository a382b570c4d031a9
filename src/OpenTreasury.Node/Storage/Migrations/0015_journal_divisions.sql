-- Finance's journal per division (总预算会计): an event's key names its division (533103/8202:ZF…), because each
-- division numbers its vouchers from the same first number. Entries posted before take their source voucher's.
UPDATE finance_journal
SET voucher_ref = (SELECT v.adm_div_code FROM vouchers v WHERE v.id = finance_journal.source_voucher_id) || '/' || voucher_ref
WHERE voucher_ref NOT LIKE '%/%';
