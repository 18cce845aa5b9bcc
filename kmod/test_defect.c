// SPDX-License-Identifier: GPL-2.0
/*
 * Deliberate defects for the debug lane's own test, never in a real build:
 * Kbuild compiles this file only when DSR_TEST_DEFECT names a defect, and
 * tools/debug-kernel/test-lane checks that the lane reports each one.
 *
 *   leak       one object allocated at load time and never freed (kmemleak)
 *   lockorder  two mutexes taken in both orders (lockdep: circular locking)
 */
#include <linux/compiler.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include "dsr.h"

#ifdef DSR_TEST_DEFECT_LOCKORDER
static DEFINE_MUTEX(dsr_defect_lock_a);
static DEFINE_MUTEX(dsr_defect_lock_b);
#endif

void dsr_test_defect(void)
{
#ifdef DSR_TEST_DEFECT_LEAK
	void *obj = kmalloc(192, GFP_KERNEL);

	/* Keep the compiler from dropping the allocation, then lose it. */
	OPTIMIZER_HIDE_VAR(obj);
	pr_warn("dsr: test defect: leaking one 192-byte object\n");
#endif
#ifdef DSR_TEST_DEFECT_LOCKORDER
	pr_warn("dsr: test defect: taking two mutexes in both orders\n");
	mutex_lock(&dsr_defect_lock_a);
	mutex_lock(&dsr_defect_lock_b);
	mutex_unlock(&dsr_defect_lock_b);
	mutex_unlock(&dsr_defect_lock_a);
	mutex_lock(&dsr_defect_lock_b);
	mutex_lock(&dsr_defect_lock_a);
	mutex_unlock(&dsr_defect_lock_a);
	mutex_unlock(&dsr_defect_lock_b);
#endif
}
