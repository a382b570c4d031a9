-- The stamp template version (凭证模板版本) a voucher was made under, per (AdmDivCode, VtCode): its stamps sign it
-- (propertyInfo), the receiver checks that version's positions and keeps it too. 1 is the defaults.
ALTER TABLE vouchers ADD COLUMN template_version INTEGER NOT NULL DEFAULT 1 CHECK (template_version >= 1);
