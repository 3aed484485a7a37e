// Sixteen floats in a vector, for the kernels compiled per instruction set: 512-bit registers
// under AVX-512, pairs of 256-bit ones under AVX2, and 128-bit ones elsewhere.
#ifndef CKERNELS_VECTOR_H
#define CKERNELS_VECTOR_H

#include <string.h>

typedef float v16 __attribute__((vector_size(64), aligned(4)));
typedef int vi16 __attribute__((vector_size(64), aligned(4)));

// Macros, not functions, for what takes or gives a vector: a vector passed to or returned from
// a function compiled for another instruction set changes the ABI.
#define LOAD(p) ({ v16 l_; memcpy(&l_, (p), sizeof l_); l_; })
#define STORE(p, x) do { v16 s_ = (x); memcpy((p), &s_, sizeof s_); } while (0)
// Lanes 0, 2, …, 30 and 1, 3, …, 31 of the 32 floats in lo and hi.
#define EVENS(lo, hi) __builtin_shufflevector(lo, hi, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30)
#define ODDS(lo, hi) __builtin_shufflevector(lo, hi, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31)

// Defines `name` from its body (the arguments after PARAMETERS) once for each instruction set,
// and name_for(isa): the one to call for `isa`, or the portable one where this CPU or build
// does not run it.
#if defined(__x86_64__) || defined(__i386__)
#define CK_PER_ISA(name, PARAMETERS, ...)                                                          \
    static void name##_portable PARAMETERS { __VA_ARGS__ }                                          \
    __attribute__((target("avx2,fma"))) static void name##_avx2 PARAMETERS { __VA_ARGS__ }         \
    __attribute__((target("avx512f"))) static void name##_avx512 PARAMETERS { __VA_ARGS__ }        \
    static void (*name##_for(int isa)) PARAMETERS {                                                 \
        void (*const table[]) PARAMETERS = {name##_portable, name##_avx2, name##_avx512};          \
        return table[isa >= 0 && isa < 3 && ckernels_isa_supported(isa) ? isa : 0];                \
    }
#else
#define CK_PER_ISA(name, PARAMETERS, ...)                                                          \
    static void name##_portable PARAMETERS { __VA_ARGS__ }                                          \
    static void (*name##_for(int isa)) PARAMETERS { (void)isa; return name##_portable; }
#endif

#endif
