-- The index on (name, birth_date) of 0018 is not needed: suspected
-- duplicates join on the name (persons_name) and persons without a
-- document are matched within their household (persons_household). One
-- index fewer is a quarter less work for a big import.
DROP INDEX persons_name_birth;
