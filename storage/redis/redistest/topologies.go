package redistest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// StartCluster starts a Redis Cluster of n primaries (no replicas) sharing
// the 16384 slots, waits until it is up, and returns its nodes' addresses.
func StartCluster(t testing.TB, n int) []string {
	t.Helper()
	var nodes []*Server
	for range n {
		nodes = append(nodes, start(t, func(s *Server) []string {
			return append(commonArgs(s.port, s.dir),
				"--cluster-enabled", "yes",
				"--cluster-config-file", "nodes.conf",
				"--cluster-node-timeout", "5000",
			)
		}))
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	clients := make([]*goredis.Client, n)
	addrs := make([]string, n)
	for i, node := range nodes {
		addrs[i] = node.Addr()
		clients[i] = goredis.NewClient(&goredis.Options{Addr: node.Addr(), DisableIdentity: true})
		defer clients[i].Close()
	}
	const slots = 16384
	for i, c := range clients {
		lo, hi := i*slots/n, (i+1)*slots/n-1
		if err := c.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", lo, hi).Err(); err != nil {
			t.Fatalf("redistest: cluster addslotsrange: %v", err)
		}
		if err := c.Do(ctx, "CLUSTER", "SET-CONFIG-EPOCH", i+1).Err(); err != nil {
			t.Fatalf("redistest: cluster set-config-epoch: %v", err)
		}
	}
	for _, node := range nodes[1:] {
		if err := clients[0].ClusterMeet(ctx, "127.0.0.1", strconv.Itoa(node.Port())).Err(); err != nil {
			t.Fatalf("redistest: cluster meet: %v", err)
		}
	}
	for _, c := range clients {
		for {
			info, err := c.ClusterInfo(ctx).Result()
			if err == nil && strings.Contains(info, "cluster_state:ok") &&
				strings.Contains(info, fmt.Sprintf("cluster_known_nodes:%d", n)) {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("redistest: cluster does not come up: %v %s", err, info)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return addrs
}

// Sentinel is a primary watched by one Sentinel.
type Sentinel struct {
	MasterName   string
	SentinelAddr string
	Primary      *Server
}

// StartSentinel starts a primary and a Sentinel monitoring it as
// "mymaster".
func StartSentinel(t testing.TB) *Sentinel {
	t.Helper()
	primary := Start(t)
	sent := start(t, func(s *Server) []string {
		conf := filepath.Join(s.dir, "sentinel.conf")
		text := fmt.Sprintf("sentinel monitor mymaster 127.0.0.1 %d 1\nsentinel down-after-milliseconds mymaster 5000\n", primary.Port())
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return []string{conf, "--sentinel",
			"--port", strconv.Itoa(s.port),
			"--bind", "127.0.0.1",
			"--dir", s.dir,
			"--daemonize", "no",
			"--loglevel", "warning",
		}
	})
	return &Sentinel{MasterName: "mymaster", SentinelAddr: sent.Addr(), Primary: primary}
}
