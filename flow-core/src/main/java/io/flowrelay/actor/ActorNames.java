package io.flowrelay.actor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The living actors of one parent, or the system's top-level actors, by name. Names are unique in
 * it; a cell leaves it when it ends. A compact hash table: the cells in a dense array, in the order
 * they came, and an open-addressing index (linear probing) of {hash, position} pairs in a
 * {@code long[]}.
 *
 * <p>Why not a {@code ConcurrentHashMap}: it keeps a 32-byte node per entry (an idle actor's
 * largest cost after its own objects, and a million more objects for young collections to copy)
 * and makes nodes again as it resizes. Here an actor costs a slot of 8 bytes in an index at most
 * three quarters full and 4 bytes in the dense array: 14 to 28 bytes. A spawn touches one random
 * line (the index slot; the dense array is appended to), as a map's bin does, and a resize reads
 * the index in order without visiting a cell.
 */
final class ActorNames {

    /*
     * Implementation notes
     *
     * Every access (insert, remove, snapshot) holds `lock`, taken by a CAS from 0 to 1 and left by
     * a release store of 0. A waiting thread spins, and yields now and then: the holder does a
     * few probes, or a resize, and never blocks, so nobody parks and no virtual thread pins its
     * carrier (no `synchronized`, DESIGN.md). The CAS and the release store order the plain
     * fields, which are read and written only under the lock.
     *
     * cells — the cells present, in cells[0, size); null until the first insert. A remove moves
     *         the last cell into the hole (and repoints its index slot). Grows 2x when full,
     *         shrinks 2x when less than a quarter full (above MIN_CAPACITY).
     * index — power of two slots, null until the first insert; a slot holds the name's keyed
     *         hash in its high 32 bits and the cell's position + 1 in its low 32 (0: a free
     *         slot). At most three quarters full (grows 2x when an insert would pass that) and,
     *         above MIN_CAPACITY, at least an eighth full (shrinks 2x below it), so a system that
     *         ended a million actors gives its memory back. The home slot is the low bits of the
     *         hash, so a shrink folds the upper half onto the lower: ending actors in index order
     *         leaves the rest as sparse as before (with the top bits a shrink merges neighbours
     *         and doubles the density of what is left: ending a million actors took minutes). A
     *         remove shifts the rest of the run back into the hole: no tombstones.
     */

    private static final int MIN_CAPACITY = 8;
    private static final int SPINS_BEFORE_YIELD = 64;
    private static final long POSITION = 0xFFFF_FFFFL;
    /** The largest index: 2^30 slots, three quarters of them usable (about 800 million actors under one parent). */
    private static final int MAX_CAPACITY = 1 << 30;
    /** The key of the names' hash, random per JVM: names that collide cannot be chosen from outside. */
    private static final long K0;
    private static final long K1;

    static {
        SecureRandom random = new SecureRandom();
        K0 = random.nextLong();
        K1 = random.nextLong();
    }

    private volatile int lock;
    private long[] index;
    private ActorCell<?>[] cells;
    private int size;

    /**
     * Adds {@code cell} unless a cell with its name is present.
     *
     * @return {@code null} if added, else the cell that holds the name
     */
    ActorCell<?> putIfAbsent(ActorCell<?> cell) {
        String name = cell.name;
        int h = hash(name);
        lock();
        try {
            long[] ix = index;
            if (ix == null) {
                ActorCell<?>[] cs = new ActorCell<?>[MIN_CAPACITY]; // both made before either is kept
                index = ix = new long[MIN_CAPACITY];
                cells = cs;
            }
            int mask = ix.length - 1;
            for (int i = h & mask; ; i = (i + 1) & mask) {
                long e = ix[i];
                if (e == 0L) {
                    break;
                }
                if ((int) (e >>> 32) == h) {
                    ActorCell<?> c = cells[(int) (e & POSITION) - 1];
                    if (c.name.equals(name)) {
                        return c;
                    }
                }
            }
            if ((size + 1) * 4L > ix.length * 3L) {
                if (ix.length == MAX_CAPACITY) {
                    throw new IllegalStateException("too many actors under one parent: " + size);
                }
                ix = reindex(ix.length << 1);
            }
            if (size == cells.length) {
                cells = Arrays.copyOf(cells, size << 1);
            }
            cells[size] = cell;
            place(ix, h, ++size);
            return null;
        } finally {
            unlock();
        }
    }

    /** Removes {@code cell} itself (not another cell of the same name); {@code false} if absent. */
    boolean remove(ActorCell<?> cell) {
        int h = hash(cell.name);
        lock();
        try {
            long[] ix = index;
            if (ix == null) {
                return false;
            }
            int mask = ix.length - 1;
            int i = h & mask;
            for (long e; ; i = (i + 1) & mask) {
                if ((e = ix[i]) == 0L) {
                    return false;
                }
                if ((int) (e >>> 32) == h && cells[(int) (e & POSITION) - 1] == cell) {
                    break;
                }
            }
            int hole = (int) (ix[i] & POSITION) - 1;
            unplace(ix, i);
            int last = --size;
            if (hole != last) { // the last cell fills the hole, and its slot says so
                ActorCell<?> moved = cells[last];
                cells[hole] = moved;
                int j = hash(moved.name) & mask;
                while ((int) (ix[j] & POSITION) != last + 1) {
                    j = (j + 1) & mask;
                }
                ix[j] = (ix[j] & ~POSITION) | (hole + 1);
            }
            cells[last] = null;
            if (ix.length > MIN_CAPACITY && size < ix.length >>> 3) {
                reindex(ix.length >>> 1);
            }
            if (cells.length > MIN_CAPACITY && size < cells.length >>> 2) {
                cells = Arrays.copyOf(cells, cells.length >>> 1);
            }
            return true;
        } finally {
            unlock();
        }
    }

    /** The cells present now, in the order they came (a remove reorders): a copy, so the caller may spawn or stop meanwhile. */
    List<ActorCell<?>> snapshot() {
        lock();
        try {
            return cells == null ? new ArrayList<>() : new ArrayList<>(Arrays.asList(cells).subList(0, size));
        } finally {
            unlock();
        }
    }

    /** The number of cells present. */
    int size() {
        lock();
        try {
            return size;
        } finally {
            unlock();
        }
    }

    /** The slots of the index (for tests of the growth and shrink policy). */
    int capacity() {
        lock();
        try {
            return index == null ? 0 : index.length;
        } finally {
            unlock();
        }
    }

    /** The longest distance of an entry from its home slot (for tests: short runs whatever the names). */
    int longestProbe() {
        lock();
        try {
            int longest = 0;
            if (index != null) {
                int mask = index.length - 1;
                for (int i = 0; i < index.length; i++) {
                    if (index[i] != 0L) {
                        longest = Math.max(longest, (i - (int) (index[i] >>> 32)) & mask);
                    }
                }
            }
            return longest;
        } finally {
            unlock();
        }
    }

    /** Empties slot {@code i} of {@code ix}, shifting back each later entry of its run whose home is not in (i, j]. */
    private static void unplace(long[] ix, int i) {
        int mask = ix.length - 1;
        for (int j = (i + 1) & mask; ix[j] != 0L; j = (j + 1) & mask) {
            int home = (int) (ix[j] >>> 32) & mask;
            if (((j - home) & mask) >= ((j - i) & mask)) {
                ix[i] = ix[j];
                i = j;
            }
        }
        ix[i] = 0L;
    }

    /**
     * A new index of {@code capacity} slots from the old one, read in order: slot i's entry goes
     * to i or i + old length when growing, to i mod the new length when shrinking.
     */
    private long[] reindex(int capacity) {
        long[] ix = new long[capacity];
        int mask = capacity - 1;
        for (long e : index) {
            if (e != 0L) {
                int i = (int) (e >>> 32) & mask;
                while (ix[i] != 0L) {
                    i = (i + 1) & mask;
                }
                ix[i] = e;
            }
        }
        index = ix;
        return ix;
    }

    private static void place(long[] ix, int h, int positionPlusOne) {
        int mask = ix.length - 1;
        int i = h & mask;
        while (ix[i] != 0L) {
            i = (i + 1) & mask;
        }
        ix[i] = ((long) h << 32) | positionPlusOne;
    }

    /**
     * The name's hash: SipHash-1-3 over its UTF-16 code units, keyed per JVM, folded to 32 bits;
     * the home slot is its low bits. Not {@code String.hashCode}: names with equal hash codes
     * are easy to make ("Aa" and "BB"), would share one home slot, and each spawn would walk
     * all of them while holding the lock (a map's bin turns into a tree instead). A keyed hash
     * spreads names that come from outside, such as user or session ids, whatever they are.
     */
    static int hash(String name) {
        long[] v = {K0 ^ 0x736f6d6570736575L, K1 ^ 0x646f72616e646f6dL, K0 ^ 0x6c7967656e657261L,
                    K1 ^ 0x7465646279746573L};
        int n = name.length();
        int i = 0;
        for (; i + 4 <= n; i += 4) { // four chars per 64-bit word, little-endian
            absorb(v, name.charAt(i) | (long) name.charAt(i + 1) << 16 | (long) name.charAt(i + 2) << 32
                    | (long) name.charAt(i + 3) << 48);
        }
        long last = (long) n << 48; // the length (mod 2^16) above the last chars
        for (int shift = 0; i < n; i++, shift += 16) {
            last |= (long) name.charAt(i) << shift;
        }
        absorb(v, last);
        v[2] ^= 0xFF;
        sipRound(v);
        sipRound(v);
        sipRound(v);
        long h = v[0] ^ v[1] ^ v[2] ^ v[3];
        return (int) (h ^ (h >>> 32));
    }

    private static void absorb(long[] v, long m) {
        v[3] ^= m;
        sipRound(v);
        v[0] ^= m;
    }

    private static void sipRound(long[] v) {
        long v0 = v[0];
        long v1 = v[1];
        long v2 = v[2];
        long v3 = v[3];
        v0 += v1;
        v1 = Long.rotateLeft(v1, 13) ^ v0;
        v0 = Long.rotateLeft(v0, 32);
        v2 += v3;
        v3 = Long.rotateLeft(v3, 16) ^ v2;
        v0 += v3;
        v3 = Long.rotateLeft(v3, 21) ^ v0;
        v2 += v1;
        v1 = Long.rotateLeft(v1, 17) ^ v2;
        v2 = Long.rotateLeft(v2, 32);
        v[0] = v0;
        v[1] = v1;
        v[2] = v2;
        v[3] = v3;
    }

    private void lock() {
        for (int spins = 0; lock != 0 || !LOCK.compareAndSet(this, 0, 1); spins++) {
            if (spins % SPINS_BEFORE_YIELD == SPINS_BEFORE_YIELD - 1) {
                Thread.yield(); // the holder may have lost its CPU
            } else {
                Thread.onSpinWait();
            }
        }
    }

    private void unlock() {
        LOCK.setRelease(this, 0);
    }

    private static final VarHandle LOCK;

    static {
        try {
            LOCK = MethodHandles.lookup().findVarHandle(ActorNames.class, "lock", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
