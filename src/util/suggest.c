/* suggest: capped Levenshtein distance and closest-name search (see suggest.h). */
#include "util/suggest.h"

size_t suggest_distance(const char *a, size_t na, const char *b, size_t nb, size_t cap)
{
	if ((na > nb ? na - nb : nb - na) > cap || na > 256 || nb > 256)
		return cap + 1;
	size_t row[257];
	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 1; i <= na; i++) {
		size_t diag = row[0], best = row[0] = i;
		for (size_t j = 1; j <= nb; j++) {
			size_t up = row[j];
			size_t v = diag + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			if (up + 1 < v)
				v = up + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best > cap)
			return cap + 1;
	}
	return row[nb];
}

void suggest_init(wsuggest *sg, const char *word, size_t wlen)
{
	sg->word = word;
	sg->wlen = wlen;
	sg->best = NULL;
	sg->blen = 0;
	sg->dist = (size_t)-1;
}

void suggest_consider(wsuggest *sg, const char *cand, size_t clen)
{
	size_t lim = (sg->wlen > clen ? sg->wlen : clen) / 2;
	if (lim < 1)
		lim = 1;
	if (sg->dist != (size_t)-1 && sg->dist - 1 < lim)
		lim = sg->dist - 1;
	size_t d = suggest_distance(sg->word, sg->wlen, cand, clen, lim);
	if (d == 0 || d > lim)
		return;
	sg->dist = d;
	sg->best = cand;
	sg->blen = clen;
}
