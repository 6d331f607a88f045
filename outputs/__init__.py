"""What the month produces for people: drafts, letters, coaching, recaps."""
