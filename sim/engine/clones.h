/* clones: ENGINE_CLONES compiles a hot loop three times, for baseline x86-64, AVX2 and AVX-512
 * machines (x86-64-v3, -v4), and the loader picks one: wider vectors without -march=native,
 * and the same bits either way (no FMA contraction, -ffp-contract=off; IEEE division and
 * square root round the same in every lane width). ENGINE_BASELINE_ONLY (a test's build)
 * and the sanitizer builds (which do not support the resolvers) get the baseline code. */
#ifndef CISIM_CLONES_H
#define CISIM_CLONES_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__SANITIZE_ADDRESS__) && !defined(ENGINE_BASELINE_ONLY)
#define ENGINE_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define ENGINE_CLONES
#endif

#endif
