#include "textflag.h"

// func prefetchThread(t unsafe.Pointer)
//
// PREFETCHT0 of the five cache lines from t on (of a thread's six, those
// a round touches: thread.go): a hint, which never faults and changes
// nothing but the caches.
TEXT ·prefetchThread(SB), NOSPLIT|NOFRAME, $0-8
	MOVQ t+0(FP), AX
	PREFETCHT0 (AX)
	PREFETCHT0 64(AX)
	PREFETCHT0 128(AX)
	PREFETCHT0 192(AX)
	PREFETCHT0 256(AX)
	RET

// func prefetchLine(p unsafe.Pointer)
//
// PREFETCHT0 of the one line at p.
TEXT ·prefetchLine(SB), NOSPLIT|NOFRAME, $0-8
	MOVQ p+0(FP), AX
	PREFETCHT0 (AX)
	RET
