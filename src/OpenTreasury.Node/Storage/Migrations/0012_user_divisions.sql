-- A person may work for one administrative division (区划) of the several a node serves (a county's 国库股 at the
-- prefecture's Finance node): authorization and stamping keep them to that division's vouchers. NULL: a person of
-- the whole node (PBOC's and the banks' province-wide staff, the prefecture's own posts).
ALTER TABLE users ADD COLUMN adm_div_code TEXT CHECK (adm_div_code IS NULL OR length(adm_div_code) = 6);
