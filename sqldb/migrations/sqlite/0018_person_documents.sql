-- Persons without a document (id_type 'none': an infant not yet
-- registered, a person without papers) have no number; the number is
-- unique among the others. Without a number, a person is found by name
-- and birth date, which is also how suspected duplicates are found.
DROP INDEX persons_id_number;
CREATE UNIQUE INDEX persons_id_number ON persons (id_number, id_type) WHERE id_type <> 'none';
CREATE INDEX persons_name_birth ON persons (name, birth_date);

-- Two persons an office looked at and said are different people, so the
-- list of suspected duplicates stops showing them (a_id < b_id). Merged
-- persons are moved out and no longer listed.
CREATE TABLE person_distinct (
    a_id      INTEGER NOT NULL,
    b_id      INTEGER NOT NULL,
    marked_at TIMESTAMP NOT NULL,
    marked_by TEXT NOT NULL,
    PRIMARY KEY (a_id, b_id)
);

-- A merged person is kept, moved out and pointing at the person they were
-- merged into: references that could not move (both were members of the
-- same round) keep their history, and the audit log its subject.
ALTER TABLE persons ADD COLUMN merged_into INTEGER;
