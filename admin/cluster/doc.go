// Package cluster holds the cluster test of the admin UI: two gosio
// nodes on one redis-server (adapter/redis), the official UI connected
// to one of them, in headless Chromium. It is its own module so that the
// admin module does not depend on Redis.
package cluster
