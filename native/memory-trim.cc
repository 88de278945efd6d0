/*
 * Gives memory back after a load (src/app/idle-memory-trim.ts), in two steps no JS API offers:
 *
 * 1. A critical memory-pressure notification: a full GC flagged "reduce memory footprint", which
 *    shrinks the young generation (grown to 2 x 16 MB under load) whatever V8 thinks of the recent
 *    allocation rate, and moves objects out of sparse pages. A plain forced GC shrinks it only after
 *    ~5 s of low allocation, which an idle gateway with timers running did not always show.
 *    LowMemoryNotification does the same in at least two full GCs (374 vs 195 ms on a 200 MB
 *    heap) and also drops V8's compilation cache: `trim(true)` uses it for the first trim after
 *    startup, whose garbage is mostly that (module sources and compiled code, ~8 MB of PSS).
 * 2. glibc malloc_trim(0): glibc keeps memory freed inside its heaps (per-thread arenas, below the
 *    top chunk) and returns only the top; after a load the freed receive buffers and statement
 *    results in the middle stay resident. malloc_trim gives every whole free page back (4 MB of
 *    PSS on a gateway that had taken 100,000 subscriptions).
 *
 * trim(thorough) returns whether malloc_trim gave memory back (false off glibc).
 */
#include <node.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace {

void Trim(const v8::FunctionCallbackInfo<v8::Value>& args) {
  v8::Isolate* isolate = args.GetIsolate();
  if (args.Length() > 0 && args[0]->IsTrue()) {
    isolate->LowMemoryNotification();
  } else {
    // on the isolate's own thread V8 collects at once: one full GC (a second only when the first
    // left much garbage); then back to normal, or V8 would keep optimizing for memory
    isolate->MemoryPressureNotification(v8::MemoryPressureLevel::kCritical);
    isolate->MemoryPressureNotification(v8::MemoryPressureLevel::kNone);
  }
  bool released = false;
#ifdef __GLIBC__
  released = malloc_trim(0) != 0;
#endif
  args.GetReturnValue().Set(released);
}

}  // namespace

NODE_MODULE_INIT(/* exports, module, context */) {
  v8::Isolate* isolate = context->GetIsolate();
  exports->Set(context, v8::String::NewFromUtf8Literal(isolate, "trim"),
               v8::FunctionTemplate::New(isolate, Trim)->GetFunction(context).ToLocalChecked()).Check();
}
