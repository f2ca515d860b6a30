/* error: status codes returned inside the engine and the one place that holds the message.
 *
 * Engine functions return a cs_status; on failure they record a human-readable message with
 * CS_ERROR(code, fmt, ...), which also records the C source location (shown only when the
 * environment variable CISIM_DEBUG is set: users need the config location, not ours).
 * The message lives in thread-local storage, like errno, so tests need no setup; it is
 * allocated to its full length (never cut), and a new message may quote the current one. */
#ifndef CISIM_ERROR_H
#define CISIM_ERROR_H

typedef enum {
  CS_OK = 0,
  CS_ERR_RUN = 1,    /* numerical failure, NaN, I/O failure during a run: exit status 1 */
  CS_ERR_INPUT = 2,  /* bad configuration, bad command line, unusable input file: exit status 2 */
  CS_ERR_NOMEM = 3,  /* allocation failed (exit status 1) */
  CS_ERR_IO = 4      /* file system or HDF5 failure (exit status 1) */
} cs_status;

#if defined(__GNUC__)
#define CS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CS_PRINTF(a, b)
#endif

cs_status cs_error_set(const char *src_file, int src_line, cs_status code, const char *fmt, ...)
    CS_PRINTF(4, 5);
#define CS_ERROR(code, ...) cs_error_set(__FILE__, __LINE__, (code), __VA_ARGS__)

/* Propagate a failing status from a call. */
#define CS_TRY(expr)                        \
  do {                                      \
    cs_status cs_try_s_ = (expr);           \
    if (cs_try_s_ != CS_OK) return cs_try_s_; \
  } while (0)

const char *cs_error_message(void);  /* last message on this thread, "" if none; valid until
                                        the next cs_error_set or cs_error_clear */
char *cs_error_copy(void);           /* a copy of it (caller frees; NULL when out of memory) */
const char *cs_error_origin(void);   /* "file.c:123" of the last CS_ERROR */
void cs_error_clear(void);
int cs_exit_code(cs_status s);       /* 0, 1 or 2 for the CLI */

#endif
