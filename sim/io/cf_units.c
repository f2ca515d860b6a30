/* cf_units: cisim's unit spellings in UDUNITS-2 form (see cf_units.h). */
#include "cf_units.h"

#include <stdio.h>
#include <string.h>

/* Words that count things: a density of cells per mm³ is, to UDUNITS, mm-3. */
static int dimensionless(const char *base) {
  return strcmp(base, "cells") == 0 || strcmp(base, "cell") == 0 ||
         strcmp(base, "amount") == 0 || strcmp(base, "-") == 0 || strcmp(base, "1") == 0;
}

/* A superscript digit at s (UTF-8, two bytes): its value, else -1. */
static int superscript(const unsigned char *s) {
  if (s[0] != 0xC2) return -1;
  return s[1] == 0xB9 ? 1 : s[1] == 0xB2 ? 2 : s[1] == 0xB3 ? 3 : -1;
}

static int is_separator(const unsigned char *s, size_t *len) {
  if (s[0] == ' ' || s[0] == '*') return (*len = 1), 1;
  if (s[0] == 0xC2 && s[1] == 0xB7) return (*len = 2), 1; /* · */
  return 0;
}

/* Append one factor: BASE with exponent EXP (as read) times SIGN. */
static int put_factor(char *out, size_t size, size_t *used, const char *base, int exp, int sign) {
  if (!base[0] || dimensionless(base)) return 0;
  int e = exp * sign, w;
  if (e == 1)
    w = snprintf(out + *used, size - *used, "%s%s", *used ? " " : "", base);
  else
    w = snprintf(out + *used, size - *used, "%s%s%d", *used ? " " : "", base, e);
  if (w < 0 || (size_t)w >= size - *used) return -1;
  *used += (size_t)w;
  return 0;
}

/* Read one factor's base and exponent from s; returns bytes read, or 0 if it is unreadable. */
static size_t read_part(const unsigned char *s, char *base, size_t bsize, int *exp) {
  size_t i = 0, b = 0;
  *exp = 1;
  while (s[i] && s[i] != '/' && b + 1 < bsize) {
    size_t sl;
    if (is_separator(s + i, &sl)) break;
    int sup = superscript(s + i);
    if (sup > 0 || s[i] == '^' || (s[i] >= '0' && s[i] <= '9' && b > 0) ||
        (s[i] == '-' && b > 0)) {
      int e = 0, neg = 0;
      if (sup > 0) {
        e = sup;
        i += 2;
      } else {
        if (s[i] == '^') i++;
        if (s[i] == '-') neg = 1, i++;
        if (s[i] < '0' || s[i] > '9') return 0;
        while (s[i] >= '0' && s[i] <= '9') e = 10 * e + (s[i++] - '0');
      }
      *exp = neg ? -e : e;
      break;
    }
    if (s[i] == 0xC2 && s[i + 1] == 0xB5) { /* µ micro sign */
      base[b++] = 'u';
      i += 2;
    } else if (s[i] == 0xCE && s[i + 1] == 0xBC) { /* μ Greek mu */
      base[b++] = 'u';
      i += 2;
    } else {
      base[b++] = (char)s[i++];
    }
  }
  base[b] = '\0';
  return i > 0 ? i : 0;
}

int cf_units(const char *unit, char *out, size_t size) {
  if (!out || size < 2) return -1;
  out[0] = '\0';
  const unsigned char *s = (const unsigned char *)(unit ? unit : "");
  size_t used = 0;
  int sign = 1;
  while (*s) {
    size_t sl;
    if (is_separator(s, &sl)) {
      s += sl;
      sign = 1;
      continue;
    }
    if (*s == '/') {
      s++;
      sign = -1;
      continue;
    }
    char base[64];
    int exp;
    size_t n = read_part(s, base, sizeof base, &exp);
    if (n == 0 || put_factor(out, size, &used, base, exp, sign) < 0) {
      out[0] = '\0';
      return -1;
    }
    s += n;
  }
  if (used == 0) snprintf(out, size, "1");
  return 0;
}
