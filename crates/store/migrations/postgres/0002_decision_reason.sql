-- A decision's reason, shown to the post's author (the note stays reviewers' only).
ALTER TABLE decisions ADD COLUMN reason TEXT;
