/* sonde-series.c: a ring of (time, value) points with a min/max pyramid
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Points. Every point gets an absolute index, 0 for the first point since
 * creation or the last clear(), and is stored at slot index mod n_slots,
 * where n_slots is the capacity rounded up to a whole block. Slots come in
 * blocks of BLOCK points, each the BLOCK times followed by the BLOCK values
 * (16 bytes a point): the search for a column's edge and the scan of the
 * points beside it then read one short stretch of memory, which is what a
 * reduce of a large series mostly waits for. The retained points are the
 * absolute indices [head, tail), at most capacity of them. A gap point
 * stores NaN as its value. The blocks grow (doubling) up to n_slots, so a
 * series that never fills its capacity never pays for it.
 *
 * The pyramid. Level 1 has one node per block of BLOCK points (absolute
 * indices [j·BLOCK, (j+1)·BLOCK)); level l + 1 has one node per BLOCK nodes
 * of level l. A node summarizes its points (a Summary: count, min, max, sum,
 * first and last value of its value points, and where gaps lie relative to
 * them). Level 1 nodes also keep the time of their first point, in an array
 * of their own, to search time quickly. Each level is a ring of nodes (node
 * j at j mod a power of two large enough that every node that touches the
 * retained points has a slot of its own). A node is only ever read when all
 * of its points are retained: then it is complete, and its summary is exact.
 * So a level-1 node summarizes its points as they come (it is reset by its
 * first point), and a node of a higher level is folded from its children
 * when the last of them completes (it is reset by its first child): O(1)
 * amortized per append. Nodes whose points were dropped by the ring are
 * never read again, and their slot is reset when a new node takes it.
 *
 * Reading. A time window maps to the index range of its points by a search
 * on the level-1 block times (galloping from the previous column's end when
 * reducing), then among at most BLOCK point times. An index range [a, b) is
 * summarized with whole nodes where they fit and points or smaller nodes at
 * its edges: at most 2·BLOCK items a level. Reducing to N columns costs
 * O(N · BLOCK · levels), whatever the number of points.
 *
 * Not thread-safe: a series belongs to the thread that made it.
 */

#define G_LOG_DOMAIN "sonde-series"

#include "config.h"

#include <math.h>

#include "sonde-series.h"
#include "sonde-series-private.h"

#define BLOCK_SHIFT    SONDE_SERIES_BLOCK_SHIFT
#define BLOCK          (G_GUINT64_CONSTANT (1) << BLOCK_SHIFT)
#define BLOCK_MASK     (BLOCK - 1)
#define MAX_LEVELS     8
#define MIN_POINTS     (BLOCK * 32)
#define MIN_NODES      16

/* Where gaps lie in a Summary. When it has no value, only SUMMARY_GAP
 * means something. */
enum {
  SUMMARY_GAP   = 1 << 0,   /* some gap */
  SUMMARY_LEAD  = 1 << 1,   /* a gap before the first value */
  SUMMARY_INNER = 1 << 2,   /* a gap between the first and the last value */
  SUMMARY_TRAIL = 1 << 3,   /* a gap after the last value */
};

typedef struct {
  double  min;
  double  max;
  double  sum;
  double  first;
  double  last;
  guint32 n_values;
  guint32 flags;
} Summary;

/* BLOCK points: their times, then their values, in one stretch of memory
 * (256 bytes), so that the search for a column's edge and the scan of the
 * points beside it touch one place. */
typedef struct {
  gint64  times[BLOCK];
  double  values[BLOCK];   /* NaN: a gap */
} PointBlock;

typedef struct {
  Summary *nodes;
  guint64  n_slots;        /* a power of two */
  guint64  n_alloc;        /* allocated so far, up to n_slots */
} Level;

struct _SondeSeries
{
  GObject  parent_instance;

  /* owned */
  PointBlock *points;             /* n_alloc / BLOCK blocks */
  gint64     *block_times;        /* level 1: the time of each node's first point */
  Level       levels[MAX_LEVELS]; /* levels[0] is level 1 */

  guint       capacity;
  guint       n_levels;
  guint64     n_slots;            /* capacity rounded up to a whole block */
  guint64     n_alloc;            /* point slots allocated so far */

  guint64     head;               /* absolute index of the oldest retained point */
  guint64     tail;               /* absolute index of the next point */
  guint64     tail_slot;          /* its slot */
  gint64      last_time;          /* of the newest point, when there is one */
  guint64     n_dropped;
  guint64     serial;

  guint64     n_visits;           /* see sonde_series_get_n_visits() */
};

G_DEFINE_FINAL_TYPE (SondeSeries, sonde_series, G_TYPE_OBJECT)

static const Summary empty_summary = { NAN, NAN, 0.0, NAN, NAN, 0, 0 };

/* Appends B, which follows ACC, to ACC. */
static inline void
summary_combine (Summary       *acc,
                 const Summary *b)
{
  guint32 flags;

  if (b->n_values == 0)
    {
      if (b->flags & SUMMARY_GAP)
        acc->flags |= SUMMARY_GAP | (acc->n_values != 0 ? SUMMARY_TRAIL : 0);
      return;
    }

  if (acc->n_values == 0)
    {
      flags = b->flags;
      if (acc->flags & SUMMARY_GAP)
        flags |= SUMMARY_GAP | SUMMARY_LEAD;
      *acc = *b;
      acc->flags = flags;
      return;
    }

  flags = acc->flags & (SUMMARY_GAP | SUMMARY_LEAD | SUMMARY_INNER);
  if ((acc->flags & SUMMARY_TRAIL) || (b->flags & (SUMMARY_LEAD | SUMMARY_INNER)))
    flags |= SUMMARY_INNER;
  flags |= b->flags & (SUMMARY_GAP | SUMMARY_TRAIL);

  acc->flags = flags;
  acc->n_values += b->n_values;
  acc->sum += b->sum;
  acc->min = b->min < acc->min ? b->min : acc->min;
  acc->max = b->max > acc->max ? b->max : acc->max;
  acc->last = b->last;
}

/* Appends N points' values, in order, to S. */
static inline void
summary_add_values (Summary      *s,
                    const double *values,
                    gsize         n)
{
  double min = s->min;
  double max = s->max;
  double sum = s->sum;
  double first = s->first;
  double last = s->last;
  guint32 n_values = s->n_values;
  guint32 flags = s->flags;

  for (gsize i = 0; i < n; i++)
    {
      double x = values[i];

      if (G_UNLIKELY (isnan (x)))
        {
          flags |= SUMMARY_GAP | (n_values != 0 ? SUMMARY_TRAIL : 0);
          continue;
        }

      if (G_UNLIKELY (n_values == 0))
        {
          first = min = max = x;
          if (flags & SUMMARY_GAP)
            flags |= SUMMARY_LEAD;
        }
      else if (G_UNLIKELY (flags & SUMMARY_TRAIL))
        {
          flags = (flags & ~SUMMARY_TRAIL) | SUMMARY_INNER;
        }

      n_values++;
      sum += x;
      min = x < min ? x : min;
      max = x > max ? x : max;
      last = x;
    }

  s->min = min;
  s->max = max;
  s->sum = sum;
  s->first = first;
  s->last = last;
  s->n_values = n_values;
  s->flags = flags;
}

static inline guint64
point_slot (SondeSeries *self,
            guint64      index)
{
  guint64 base = self->tail - self->tail_slot;   /* the index in slot 0 */

  return index >= base ? index - base : index + self->n_slots - base;
}

static inline gint64 *
slot_time (SondeSeries *self,
           guint64      slot)
{
  return &self->points[slot >> BLOCK_SHIFT].times[slot & BLOCK_MASK];
}

static inline double *
slot_value (SondeSeries *self,
            guint64      slot)
{
  return &self->points[slot >> BLOCK_SHIFT].values[slot & BLOCK_MASK];
}

/* Asks the CPU to fetch a block of points while we look elsewhere. */
static inline void
prefetch_points (SondeSeries *self,
                 guint64      slot)
{
#ifdef __GNUC__
  const char *block = (const char *) &self->points[slot >> BLOCK_SHIFT];

  for (gsize offset = 0; offset < sizeof (PointBlock); offset += 64)
    __builtin_prefetch (block + offset);
#endif
}

static inline Summary *
node_at (SondeSeries *self,
         guint        level,
         guint64      j)
{
  Level *l = &self->levels[level - 1];

  return &l->nodes[j & (l->n_slots - 1)];
}

static inline gint64
block_time (SondeSeries *self,
            guint64      j)
{
  self->n_visits++;
  return self->block_times[j & (self->levels[0].n_slots - 1)];
}

/* Appends the points [a, b) to S. */
static void
summarize_points (SondeSeries *self,
                  guint64      a,
                  guint64      b,
                  Summary     *s)
{
  if (a < b)
    self->n_visits += b - a;

  /* Block by block: a block never wraps around the ring. */
  while (a < b)
    {
      guint64 slot = point_slot (self, a);
      guint64 run = MIN (b - a, BLOCK - (slot & BLOCK_MASK));

      summary_add_values (s, slot_value (self, slot), run);
      a += run;
    }
}

/* Appends the nodes [a, b) of LEVEL to S. */
static void
summarize_nodes (SondeSeries *self,
                 guint        level,
                 guint64      a,
                 guint64      b,
                 Summary     *s)
{
  const Level *l = &self->levels[level - 1];
  guint64 mask = l->n_slots - 1;

  self->n_visits += b - a;
  for (guint64 j = a; j < b; j++)
    summary_combine (s, &l->nodes[j & mask]);
}

static void
summarize_units (SondeSeries *self,
                 guint        level,
                 guint64      a,
                 guint64      b,
                 Summary     *s)
{
  if (level == 0)
    summarize_points (self, a, b, s);
  else
    summarize_nodes (self, level, a, b, s);
}

/* Summarizes the retained points [a, b): whole nodes of the highest level
 * that fit, and on each side, the pieces of each lower level. */
static void
summarize_range (SondeSeries *self,
                 guint64      a,
                 guint64      b,
                 Summary     *out)
{
  Summary right = empty_summary;

  *out = empty_summary;

  for (guint level = 0; a < b; level++)
    {
      guint64 inner_a, inner_b;
      Summary piece = empty_summary;

      inner_a = (a + BLOCK_MASK) & ~BLOCK_MASK;
      inner_b = b & ~BLOCK_MASK;
      if (level == self->n_levels || inner_a >= inner_b)
        {
          summarize_units (self, level, a, b, out);
          break;
        }

      summarize_units (self, level, a, inner_a, out);
      summarize_units (self, level, inner_b, b, &piece);
      summary_combine (&piece, &right);
      right = piece;

      a = inner_a >> BLOCK_SHIFT;
      b = inner_b >> BLOCK_SHIFT;
    }

  summary_combine (out, &right);
}

static inline gint64
point_time (SondeSeries *self,
            guint64      index)
{
  self->n_visits++;
  return *slot_time (self, point_slot (self, index));
}

/* The first retained index at or after FROM whose time is at least TIME, or
 * tail. Every point before FROM must be older than TIME. */
static guint64
lower_bound (SondeSeries *self,
             guint64      from,
             gint64       time)
{
  guint64 lo, hi, last, step, base, a, b;
  const gint64 *times;

  if (from >= self->tail || point_time (self, from) >= time)
    return from;

  /* The first block after FROM's block whose first point is at least TIME:
   * gallop, then bisect. Blocks (lo, hi] are where it may be. */
  lo = from >> BLOCK_SHIFT;
  last = (self->tail - 1) >> BLOCK_SHIFT;
  hi = lo + 1;
  step = 1;
  while (hi <= last && block_time (self, hi) < time)
    {
      lo = hi;
      step <<= 1;
      hi = lo + step;
    }
  hi = MIN (hi, last + 1);
  while (hi - lo > 1)
    {
      guint64 mid = lo + (hi - lo) / 2;

      if (block_time (self, mid) < time)
        lo = mid;
      else
        hi = mid;
    }

  /* Then among the points of block lo: one block never wraps in the ring. */
  base = MAX (from, lo << BLOCK_SHIFT);
  prefetch_points (self, point_slot (self, base));
  times = slot_time (self, point_slot (self, base));
  a = 0;
  b = MIN (self->tail, hi << BLOCK_SHIFT) - base;
  while (a < b)
    {
      guint64 mid = a + (b - a) / 2;

      self->n_visits++;
      if (times[mid] < time)
        a = mid + 1;
      else
        b = mid;
    }

  return base + a;
}

/* The index range of the retained points in [start, end). */
static void
window_range (SondeSeries *self,
              gint64       start_us,
              gint64       end_us,
              guint64     *a,
              guint64     *b)
{
  *a = lower_bound (self, self->head, start_us);
  *b = end_us > start_us ? lower_bound (self, *a, end_us) : *a;
}

/* The last value point in [a, k), skipping whole nodes of gaps. */
static gboolean
find_last_value (SondeSeries *self,
                 guint64      a,
                 guint64      k,
                 guint64     *index)
{
  while (k > a)
    {
      guint level = 0;
      guint64 size = 1;

      while (level < self->n_levels)
        {
          guint64 up = size << BLOCK_SHIFT;

          if ((k & (up - 1)) != 0 || k - a < up)
            break;
          self->n_visits++;
          if (node_at (self, level + 1, k / up - 1)->n_values != 0)
            break;
          level++;
          size = up;
        }

      if (level == 0)
        {
          self->n_visits++;
          if (!isnan (*slot_value (self, point_slot (self, k - 1))))
            {
              *index = k - 1;
              return TRUE;
            }
        }

      k -= size;
    }

  return FALSE;
}

static gint64
column_edge (gint64  start_us,
             guint64 quotient,
             guint64 remainder,
             guint   n_columns,
             guint   i)
{
  /* start + span · i / n, in unsigned arithmetic so that nothing overflows
   * even for the widest window: span = quotient · n + remainder. */
  return (gint64) ((guint64) start_us + quotient * i + remainder * i / n_columns);
}

static void
grow_points (SondeSeries *self)
{
  guint64 n_alloc = MIN (MAX (self->n_alloc * 2, MIN_POINTS), self->n_slots);

  self->points = g_renew (PointBlock, self->points, n_alloc / BLOCK);
  self->n_alloc = n_alloc;
}

static Summary *
prepare_node (SondeSeries *self,
              guint        level,
              guint64      j)
{
  Level *l = &self->levels[level - 1];
  guint64 slot = j & (l->n_slots - 1);

  if (slot >= l->n_alloc)
    {
      guint64 n_alloc = MIN (MAX (l->n_alloc * 2, MIN_NODES), l->n_slots);

      l->nodes = g_renew (Summary, l->nodes, n_alloc);
      if (level == 1)
        self->block_times = g_renew (gint64, self->block_times, n_alloc);
      l->n_alloc = n_alloc;
    }

  return &l->nodes[slot];
}

static void
append_point (SondeSeries *self,
              gint64       time_us,
              double       value)
{
  guint64 index = self->tail;
  guint64 j = index >> BLOCK_SHIFT;
  Summary *node;

  if (self->tail > self->head)
    time_us = MAX (time_us, self->last_time);

  if (self->tail - self->head == self->capacity)
    {
      self->head++;
      self->n_dropped++;
    }

  if (self->tail_slot >= self->n_alloc)
    grow_points (self);
  *slot_time (self, self->tail_slot) = time_us;
  *slot_value (self, self->tail_slot) = value;
  self->tail++;
  self->tail_slot++;
  if (self->tail_slot == self->n_slots)
    self->tail_slot = 0;
  self->last_time = time_us;
  self->serial++;

  /* Level 1 summarizes its points as they come. */
  node = prepare_node (self, 1, j);
  if ((index & BLOCK_MASK) == 0)
    {
      *node = empty_summary;
      self->block_times[j & (self->levels[0].n_slots - 1)] = time_us;
    }
  summary_add_values (node, &value, 1);

  if ((index & BLOCK_MASK) != BLOCK_MASK)
    return;

  /* A complete node folds into its parent. */
  for (guint level = 1; level < self->n_levels; level++)
    {
      Summary *parent = prepare_node (self, level + 1, j >> BLOCK_SHIFT);

      if ((j & BLOCK_MASK) == 0)
        *parent = empty_summary;
      summary_combine (parent, node_at (self, level, j));

      if ((j & BLOCK_MASK) != BLOCK_MASK)
        break;
      j >>= BLOCK_SHIFT;
    }
}

static void
free_storage (SondeSeries *self)
{
  g_clear_pointer (&self->points, g_free);
  g_clear_pointer (&self->block_times, g_free);
  self->n_alloc = 0;

  for (guint level = 0; level < self->n_levels; level++)
    {
      g_clear_pointer (&self->levels[level].nodes, g_free);
      self->levels[level].n_alloc = 0;
    }
}

static void
sonde_series_finalize (GObject *object)
{
  SondeSeries *self = SONDE_SERIES (object);

  free_storage (self);

  G_OBJECT_CLASS (sonde_series_parent_class)->finalize (object);
}

static void
sonde_series_class_init (SondeSeriesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sonde_series_finalize;
}

static void
sonde_series_init (SondeSeries *self)
{
}

/**
 * sonde_series_new:
 * @capacity: the most points the series keeps, or 0 for
 *   %SONDE_SERIES_DEFAULT_CAPACITY
 *
 * Memory grows with the points appended, up to about 20 bytes a point at
 * capacity: 16 for the point, about 4 for the pyramid.
 *
 * Returns: (transfer full): a new, empty series
 */
SondeSeries *
sonde_series_new (guint capacity)
{
  SondeSeries *self = g_object_new (SONDE_TYPE_SERIES, NULL);
  guint64 size = BLOCK;

  if (capacity == 0)
    capacity = SONDE_SERIES_DEFAULT_CAPACITY;

  self->capacity = capacity;
  self->n_slots = ((guint64) capacity + BLOCK_MASK) & ~BLOCK_MASK;

  /* A level is worth having when one of its nodes fits in the capacity;
   * level 1 is always there, for its block times. Every node that touches
   * the retained points needs a slot of its own: ceil (capacity / size) + 1
   * of them. */
  do
    {
      Level *l = &self->levels[self->n_levels++];

      l->n_slots = g_bit_storage ((capacity + size - 1) / size);   /* ≥ ceil + 1, a power of two */
      l->n_slots = G_GUINT64_CONSTANT (1) << l->n_slots;
      size <<= BLOCK_SHIFT;
    }
  while (self->n_levels < MAX_LEVELS && size <= capacity);

  return self;
}

guint
sonde_series_get_capacity (SondeSeries *self)
{
  g_return_val_if_fail (SONDE_IS_SERIES (self), 0);

  return self->capacity;
}

/* Value and gap points retained. */
guint
sonde_series_get_n_points (SondeSeries *self)
{
  g_return_val_if_fail (SONDE_IS_SERIES (self), 0);

  return (guint) (self->tail - self->head);
}

/* Points (values and gaps) dropped to make room, since the last clear. */
guint64
sonde_series_get_n_dropped (SondeSeries *self)
{
  g_return_val_if_fail (SONDE_IS_SERIES (self), 0);

  return self->n_dropped;
}

/**
 * sonde_series_append:
 * @self: a series
 * @time_us: the point's time; an earlier time than the newest point's is
 *   taken as the newest point's
 * @value: its value; NaN or an infinity, which no chart can draw, appends a
 *   gap
 *
 * Appends a point, dropping the oldest one when the series is full. O(1)
 * amortized.
 */
void
sonde_series_append (SondeSeries *self,
                     gint64       time_us,
                     double       value)
{
  g_return_if_fail (SONDE_IS_SERIES (self));

  append_point (self, time_us, isfinite (value) ? value : NAN);
}

/**
 * sonde_series_append_gap:
 * @self: a series
 * @time_us: when the data stopped (clamped as for sonde_series_append())
 *
 * Appends a gap: a line through the series breaks there.
 */
void
sonde_series_append_gap (SondeSeries *self,
                         gint64       time_us)
{
  g_return_if_fail (SONDE_IS_SERIES (self));

  append_point (self, time_us, NAN);
}

/* Forgets every point and the count of dropped ones; the capacity stays and
 * the memory is given back. The next point may have any time. */
void
sonde_series_clear (SondeSeries *self)
{
  g_return_if_fail (SONDE_IS_SERIES (self));

  if (self->tail == 0)
    return;

  free_storage (self);
  self->head = 0;
  self->tail = 0;
  self->tail_slot = 0;
  self->n_dropped = 0;
  self->serial++;
}

/* The times of the oldest and newest retained points, gaps included; FALSE
 * when the series is empty. */
gboolean
sonde_series_get_time_range (SondeSeries *self,
                             gint64      *first_us,
                             gint64      *last_us)
{
  g_return_val_if_fail (SONDE_IS_SERIES (self), FALSE);

  if (self->tail == self->head)
    return FALSE;

  if (first_us != NULL)
    *first_us = *slot_time (self, point_slot (self, self->head));
  if (last_us != NULL)
    *last_us = self->last_time;
  return TRUE;
}

/**
 * sonde_series_reduce:
 * @self: a series
 * @start_us: the window, [start_us, end_us)
 * @end_us:
 * @n_columns: how many columns to cut it into
 * @columns: (out caller-allocates) (array length=n_columns): where to put them
 *
 * Cuts the window into @n_columns spans of equal time (column i starts at
 * start + (end − start) · i / n_columns, rounded down) and summarizes the
 * points in each, as #SondeSeriesColumn tells. Costs O(@n_columns · log),
 * whatever the number of points.
 *
 * Returns: @n_columns, or 0 (and nothing filled) when the window is empty
 */
guint
sonde_series_reduce (SondeSeries       *self,
                     gint64             start_us,
                     gint64             end_us,
                     guint              n_columns,
                     SondeSeriesColumn *columns)
{
  guint64 span, quotient, remainder, a;
  gboolean gap_pending;
  gint64 column_start = start_us;
  Summary s;

  g_return_val_if_fail (SONDE_IS_SERIES (self), 0);
  g_return_val_if_fail (n_columns == 0 || columns != NULL, 0);

  if (n_columns == 0 || end_us <= start_us)
    return 0;

  span = (guint64) end_us - (guint64) start_us;
  quotient = span / n_columns;
  remainder = span % n_columns;

  /* Whether a gap follows the last value before the window. */
  a = lower_bound (self, self->head, start_us);
  summarize_range (self, self->head, a, &s);
  gap_pending = (s.flags & (s.n_values != 0 ? SUMMARY_TRAIL : SUMMARY_GAP)) != 0;

  for (guint i = 0; i < n_columns; i++)
    {
      SondeSeriesColumn *column = &columns[i];
      gint64 column_end = i + 1 == n_columns ? end_us
                                             : column_edge (start_us, quotient, remainder, n_columns, i + 1);
      guint64 b = lower_bound (self, a, column_end);

      summarize_range (self, a, b, &s);

      column->start_us = column_start;
      column->end_us = column_end;
      column->n_points = s.n_values;
      if (s.n_values != 0)
        {
          column->min = s.min;
          column->max = s.max;
          column->first = s.first;
          column->last = s.last;
          column->gap_before = gap_pending || (s.flags & SUMMARY_LEAD) != 0;
          column->gap_inside = (s.flags & SUMMARY_INNER) != 0;
          gap_pending = (s.flags & SUMMARY_TRAIL) != 0;
        }
      else
        {
          column->min = column->max = column->first = column->last = NAN;
          column->gap_before = column->gap_inside = FALSE;
          gap_pending |= (s.flags & SUMMARY_GAP) != 0;
        }

      a = b;
      column_start = column_end;
    }

  return n_columns;
}

/* The smallest and largest value in [start_us, end_us), to scale an axis;
 * FALSE (and min and max untouched) when there is none. */
gboolean
sonde_series_get_range (SondeSeries *self,
                        gint64       start_us,
                        gint64       end_us,
                        double      *min,
                        double      *max)
{
  guint64 a, b;
  Summary s;

  g_return_val_if_fail (SONDE_IS_SERIES (self), FALSE);

  window_range (self, start_us, end_us, &a, &b);
  summarize_range (self, a, b, &s);
  if (s.n_values == 0)
    return FALSE;

  if (min != NULL)
    *min = s.min;
  if (max != NULL)
    *max = s.max;
  return TRUE;
}

/* Count, min, max, mean and the last value of [start_us, end_us), for a
 * legend. O(log) like everything else. */
void
sonde_series_get_stats (SondeSeries      *self,
                        gint64            start_us,
                        gint64            end_us,
                        SondeSeriesStats *stats)
{
  guint64 a, b, last;
  Summary s;

  g_return_if_fail (SONDE_IS_SERIES (self));
  g_return_if_fail (stats != NULL);

  window_range (self, start_us, end_us, &a, &b);
  summarize_range (self, a, b, &s);

  stats->count = s.n_values;
  if (s.n_values == 0 || !find_last_value (self, a, b, &last))
    {
      stats->min = stats->max = stats->mean = stats->last = NAN;
      stats->last_time_us = 0;
      return;
    }

  stats->min = s.min;
  stats->max = s.max;
  stats->mean = s.sum / s.n_values;
  stats->last = s.last;
  stats->last_time_us = *slot_time (self, point_slot (self, last));
}

/**
 * sonde_series_value_at:
 * @self: a series
 * @time_us: a time, as under a crosshair
 * @point_time_us: (out) (optional): the time of the value found
 * @value: (out) (optional): the value
 *
 * Finds the last value point at or before @time_us. Gaps are skipped: past
 * a gap, this is the value before it (a chart that must not show a value
 * across a break looks at the columns' gap flags).
 *
 * Returns: FALSE when no value is that old
 */
gboolean
sonde_series_value_at (SondeSeries *self,
                       gint64       time_us,
                       gint64      *point_time_us,
                       double      *value)
{
  guint64 end, index;

  g_return_val_if_fail (SONDE_IS_SERIES (self), FALSE);

  end = time_us == G_MAXINT64 ? self->tail : lower_bound (self, self->head, time_us + 1);
  if (!find_last_value (self, self->head, end, &index))
    return FALSE;

  if (point_time_us != NULL)
    *point_time_us = *slot_time (self, point_slot (self, index));
  if (value != NULL)
    *value = *slot_value (self, point_slot (self, index));
  return TRUE;
}

/* Changes with every change of the points (append, clear): a chart redraws
 * only when it moved. */
guint64
sonde_series_get_serial (SondeSeries *self)
{
  g_return_val_if_fail (SONDE_IS_SERIES (self), 0);

  return self->serial;
}

guint64
sonde_series_get_n_visits (SondeSeries *self)
{
  g_return_val_if_fail (SONDE_IS_SERIES (self), 0);

  return self->n_visits;
}

gsize
sonde_series_get_memory_size (SondeSeries *self)
{
  gsize size;

  g_return_val_if_fail (SONDE_IS_SERIES (self), 0);

  size = sizeof *self + self->n_alloc / BLOCK * sizeof (PointBlock);
  size += self->levels[0].n_alloc * sizeof (gint64);
  for (guint level = 0; level < self->n_levels; level++)
    size += self->levels[level].n_alloc * sizeof (Summary);

  return size;
}

guint
sonde_series_get_n_levels (SondeSeries *self)
{
  g_return_val_if_fail (SONDE_IS_SERIES (self), 0);

  return self->n_levels;
}

/**
 * sonde_series_get_point:
 * @index: 0 for the oldest point kept, up to get_n_points() - 1
 *
 * Reads one point in time order (for exports). A gap has a NaN value.
 * Returns: FALSE when @index is out of range
 */
gboolean
sonde_series_get_point (SondeSeries *self,
                        guint        index,
                        gint64      *time_us,
                        double      *value)
{
  guint64 slot;

  g_return_val_if_fail (SONDE_IS_SERIES (self), FALSE);

  if (self->head + index >= self->tail)
    return FALSE;

  slot = point_slot (self, self->head + index);
  if (time_us != NULL)
    *time_us = *slot_time (self, slot);
  if (value != NULL)
    *value = *slot_value (self, slot);
  return TRUE;
}
