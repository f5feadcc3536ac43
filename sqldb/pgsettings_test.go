package sqldb

import (
	"strings"
	"testing"
)

func TestCheckSettings_Advice(t *testing.T) {
	stock := map[string]pgSetting{"max_wal_size": {"1024", "MB"}, "synchronous_commit": {"on", ""},
		"shared_buffers": {"16384", "8kB"}, "fsync": {"on", ""}}
	got := settingAdvice(stock)
	if len(got) != 2 || !strings.Contains(got[0], "max_wal_size is 1024 MB") || !strings.Contains(got[1], "shared_buffers is 128 MB") {
		t.Fatalf("stock settings: %q", got)
	}
	advised := map[string]pgSetting{"max_wal_size": {"8192", "MB"}, "synchronous_commit": {"on", ""},
		"shared_buffers": {"524288", "8kB"}, "fsync": {"on", ""}}
	if got := settingAdvice(advised); len(got) != 0 {
		t.Fatalf("advised settings: %q", got)
	}
	unsafe := map[string]pgSetting{"max_wal_size": {"16", "GB"}, "synchronous_commit": {"off", ""},
		"shared_buffers": {"4194304", "kB"}, "fsync": {"off", ""}}
	got = settingAdvice(unsafe)
	if len(got) != 2 || !strings.Contains(got[0], "synchronous_commit is off") || !strings.Contains(got[1], "fsync is off") {
		t.Fatalf("unsafe settings: %q", got)
	}
}
