package main

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/gosio/socketio/client"
)

// gosioConn drives a server with our own client package
// (github.com/gosio/socketio/client), for comparison with the raw client.
type gosioConn struct {
	s         *client.Socket
	opTimeout time.Duration
	npings    atomic.Int32
	closing   atomic.Bool
	lost      atomic.Bool
}

func dialGosio(ctx context.Context, base, path, transport string, opTimeout time.Duration, onMsg func(int)) (*gosioConn, error) {
	opts := &client.Options{
		Path:           path,
		Transports:     []string{transport},
		DisableUpgrade: true,
		NoReconnection: true,
		Timeout:        opTimeout,
	}
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	s, err := client.Connect(ctx, base+"/", opts)
	if err != nil {
		return nil, err
	}
	c := &gosioConn{s: s, opTimeout: opTimeout}
	if onMsg != nil {
		s.On("msg", func(arg string) {
			if seq, ok := parseSeq([]byte(arg)); ok {
				onMsg(seq)
			}
		})
	}
	s.Manager().OnPing(func() { c.npings.Add(1) })
	s.OnDisconnect(func(client.Reason, error) {
		if !c.closing.Load() {
			c.lost.Store(true)
		}
	})
	return c, nil
}

func (c *gosioConn) echo(ctx context.Context, p *payload) error {
	ctx, cancel := context.WithTimeout(ctx, c.opTimeout)
	defer cancel()
	a, err := c.s.EmitWithAck(ctx, "echo", p.str)
	if err != nil {
		return err
	}
	var got string
	if err := a.Decode(0, &got); err != nil || got != p.str || a.Len() != 1 {
		return errBadAck
	}
	return nil
}

func (c *gosioConn) emit(event, arg string) error { return c.s.Emit(event, arg) }

func (c *gosioConn) close() {
	c.closing.Store(true)
	c.s.Disconnect()
}

func (c *gosioConn) dropped() bool { return c.lost.Load() }
func (c *gosioConn) pings() int    { return int(c.npings.Load()) }
