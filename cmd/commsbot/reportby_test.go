package main

import (
	"testing"
	"time"

	"github.com/commsbot/commsbot/internal/waittest"
)

func reportBy(t *testing.T) time.Time { return waittest.ReportBy(t) }
