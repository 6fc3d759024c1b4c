package main

import "testing"

func TestParsePublishStats(t *testing.T) {
	info := "# Commandstats\r\ncmdstat_ping:calls=1,usec=2,usec_per_call=2.00\r\n" +
		"cmdstat_publish:calls=33,usec=264,usec_per_call=8.00,rejected_calls=0,failed_calls=0\r\n"
	us, calls, err := parsePublishStats(info)
	if err != nil || us != 8 || calls != 33 {
		t.Fatalf("got %v %d %v, want 8 33 nil", us, calls, err)
	}
	if _, _, err := parsePublishStats("# Commandstats\r\ncmdstat_ping:calls=1\r\n"); err == nil {
		t.Fatal("no PUBLISH line accepted")
	}
}
