//go:build !linux

package redistest

import "os/exec"

func setPdeathsig(*exec.Cmd) {}

// Pause skips the test: freezing a process is implemented on Linux only.
func (s *Server) Pause() { s.t.Skip("redistest: Pause needs Linux") }

// Resume does nothing outside Linux.
func (s *Server) Resume() {}
