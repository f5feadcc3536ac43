-- Results held for a decision: a result posted for a tube the lab never
-- received, or that was missing from its bag, reaches nobody until a
-- named person accepts it (the tube is at the lab after all) or rejects
-- it. One result waits per tube at a time.
CREATE TABLE held_results (
    id         INTEGER PRIMARY KEY,
    round_id   INTEGER NOT NULL REFERENCES test_rounds (id),
    tube_id    INTEGER NOT NULL REFERENCES tubes (id),
    result     TEXT NOT NULL,
    reason     TEXT NOT NULL,
    bag_code   TEXT NOT NULL DEFAULT '',
    posted_at  TIMESTAMP NOT NULL,
    posted_by  TEXT NOT NULL,
    decision   TEXT NOT NULL DEFAULT '',
    decided_at TIMESTAMP,
    decided_by TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX held_results_waiting ON held_results (tube_id) WHERE decision = '';
CREATE INDEX held_results_round ON held_results (round_id, decision);
-- The lab's list of work counts the tubes received and not yet resulted.
CREATE INDEX tubes_received ON tubes (round_id) WHERE state = 'received';
