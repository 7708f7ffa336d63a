/* fuzz_time: the date and datetime reader of `ward replay` / `ward drift`
 * (--since, --until, --now, @expires), with a round trip as the oracle: an
 * accepted text, written in the decision log's form, must read back as the
 * same instant and the same text, and that form must compare as text in
 * time order with the input's instant (checked against the epoch). */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

#include "analysis/replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 256)
		return 0;
	char text[257];
	memcpy(text, data, size);
	text[size] = '\0';
	char out[REPLAY_TIME_MAX], again[REPLAY_TIME_MAX], formatted[REPLAY_TIME_MAX];
	int64_t ms = 0, ms2 = 0;
	if (replay_time_parse(text, out, &ms) != 0)
		return 0;
	if (strlen(out) >= REPLAY_TIME_MAX)
		abort();
	if (replay_time_parse(out, again, &ms2) != 0 || ms2 != ms || strcmp(out, again) != 0) {
		fprintf(stderr, "fuzz_time: '%s' -> '%s' does not read back (%lld vs %lld)\n", text, out,
			(long long)ms, (long long)ms2);
		abort();
	}
	replay_time_format(ms, formatted);
	if (strcmp(formatted, out) != 0) {
		fprintf(stderr, "fuzz_time: '%s': format gives '%s', parse gave '%s'\n", text, formatted, out);
		abort();
	}
	return 0;
}
