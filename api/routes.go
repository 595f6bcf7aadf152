package api

// routes is the one list of every endpoint the service answers.
func (s *Server) routes() {
	e := s.echo
	e.GET("/healthz", s.healthz)
	e.POST("/v1/ask", s.ask)
	e.POST("/v1/search", s.search)
}
