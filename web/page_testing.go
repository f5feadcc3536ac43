package web

// parseTestingPages parses the templates of the testing pages.
func (s *Server) parseTestingPages() error { return nil }

// registerTestingPages registers the testing pages.
func (s *Server) registerTestingPages() {}
