/*
 * malloc_trim(3) for the idle memory trim (src/app/idle-memory-trim.ts): glibc keeps memory that
 * was freed inside its heaps (per-thread arenas, below the top chunk) and returns only the top to
 * the system. After a load, the freed receive buffers and statement results in the middle stay
 * resident; malloc_trim(0) gives every whole free page back (madvise DONTNEED). Measured on a
 * gateway that had taken 100,000 subscriptions: 4 MB of PSS, after V8's own heap was compacted.
 *
 * trim() returns 1 when memory went back, 0 when there was none or this is not glibc.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

static napi_value trim(napi_env env, napi_callback_info info) {
  (void)info;
  int released = 0;
#ifdef __GLIBC__
  released = malloc_trim(0);
#endif
  napi_value out;
  napi_get_boolean(env, released != 0, &out);
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "trim", NAPI_AUTO_LENGTH, trim, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "trim", fn) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
