-- Schedulers look for claims left unfinished by a replica that died.
CREATE INDEX slots_claimed_expires ON slots (expires) WHERE status = 'claimed';
