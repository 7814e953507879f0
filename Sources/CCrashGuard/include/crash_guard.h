#ifndef DISCOUNTD_CRASH_GUARD_H
#define DISCOUNTD_CRASH_GUARD_H

/// On a fatal signal (a trap, a crash, an abort), shuts down every socket the
/// process holds before anything else runs: the listening socket then refuses
/// new connections and every client sees its connection end, instead of both
/// hanging while the Swift runtime writes its backtrace (seconds). Then hands
/// the signal to the handler that was installed before (the backtracer).
/// Call once, early in main, after the runtime has installed its handlers.
void discountd_install_crash_guard(void);

#endif
