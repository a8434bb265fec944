/* cupti_packing.h: include before <cupti.h> where mingw-w64 builds the
 * tracer for Windows. cupti_common.h packs CUPTI's activity records with
 * MSVC's syntax (__pragma, __declspec(align)) whenever _WIN32 is defined,
 * and gcc ignores that; its GCC packing instead lays the records out as
 * CUPTI writes them, which tests/win/cupti_layout.c checks against the
 * native compiler on every CI run. Nothing on other platforms. */
#ifndef GPU_PROFILER_CUPTI_PACKING_H
#define GPU_PROFILER_CUPTI_PACKING_H
#ifdef _WIN32
#include <cupti_common.h>
#undef START_PACKED_ALIGNMENT
#undef PACKED_ALIGNMENT
#undef END_PACKED_ALIGNMENT
#define START_PACKED_ALIGNMENT
#define PACKED_ALIGNMENT __attribute__((__packed__)) __attribute__((aligned(ACTIVITY_RECORD_ALIGNMENT)))
#define END_PACKED_ALIGNMENT
#endif
#endif
