package main

import (
	"math"
	"testing"
	"time"
)

func TestPercentileNearestRank(t *testing.T) {
	var s []time.Duration
	for i := 1; i <= 100; i++ {
		s = append(s, time.Duration(i))
	}
	cases := []struct {
		p    float64
		want time.Duration
	}{{50, 50}, {99, 99}, {100, 100}, {1, 1}, {0, 1}, {0.5, 1}, {99.5, 100}, {150, 100}}
	for _, c := range cases {
		if got := percentile(s, c.p); got != c.want {
			t.Errorf("percentile(1..100, %v) = %v, want %v", c.p, got, c.want)
		}
	}
}

func TestPercentileSmall(t *testing.T) {
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("empty: %v", got)
	}
	one := []time.Duration{7}
	for _, p := range []float64{1, 50, 99, 100} {
		if got := percentile(one, p); got != 7 {
			t.Errorf("single, p%v: %v", p, got)
		}
	}
	// Nearest rank on 4 samples: p50 is the 2nd, p99 the 4th.
	four := []time.Duration{10, 20, 30, 40}
	if got := percentile(four, 50); got != 20 {
		t.Errorf("p50 of 4: %v", got)
	}
	if got := percentile(four, 99); got != 40 {
		t.Errorf("p99 of 4: %v", got)
	}
}

func TestSummarizeSortsAndAggregates(t *testing.T) {
	s := []time.Duration{5, 1, 4, 2, 3}
	got := summarize(s)
	want := latencySummary{Count: 5, P50: 3, P99: 5, Max: 5, Mean: 3}
	if got != want {
		t.Errorf("summarize = %+v, want %+v", got, want)
	}
	if s[0] != 1 || s[4] != 5 {
		t.Errorf("samples not sorted in place: %v", s)
	}
	if (summarize(nil) != latencySummary{}) {
		t.Error("empty summary not zero")
	}
}

func TestMedian(t *testing.T) {
	if got := median([]float64{3, 1, 2}); got != 2 {
		t.Errorf("odd median %v", got)
	}
	in := []float64{4, 1, 3, 2}
	if got := median(in); got != 2.5 {
		t.Errorf("even median %v", got)
	}
	if in[0] != 4 {
		t.Error("median modified its input")
	}
	if !math.IsNaN(median(nil)) {
		t.Error("empty median not NaN")
	}
}
