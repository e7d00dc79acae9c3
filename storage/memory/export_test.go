package memory

// Len returns how many entries the store holds, expired or not.
func (s *Store) Len() (convs, seen, rates int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.convs), len(s.seen), len(s.rates)
}
