-- Coordination of background processes across instances (see src/leases.rs).
--
-- A lease is held through a session advisory lock; its row counts the handovers, and that
-- count is the fence: a checkpoint is saved only under the fence it was read with, so a holder
-- that lost its lease (and does not know yet) cannot move the checkpoint back.
CREATE TABLE IF NOT EXISTS leases (
    name       TEXT   PRIMARY KEY,
    fence      BIGINT NOT NULL,
    holder     TEXT   NOT NULL,
    checkpoint BIGINT NOT NULL DEFAULT 0
);
