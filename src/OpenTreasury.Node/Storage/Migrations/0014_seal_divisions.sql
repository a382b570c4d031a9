-- A party's public seal may be of one administrative division (区划): a county's 财政局 holds its own 业务专用章 at
-- the prefecture's Finance node, and it stamps that division's vouchers only. NULL: a seal of the whole party.
ALTER TABLE seals ADD COLUMN adm_div_code TEXT CHECK (adm_div_code IS NULL OR length(adm_div_code) = 6);
