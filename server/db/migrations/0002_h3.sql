-- H3 helpers in plain SQL (no h3-pg extension is available on the embedded backend).
-- An H3 index is a 64-bit integer: bits 52–55 hold the resolution, and the 3-bit digit of
-- resolution r sits at bit 3·(15−r). Digits finer than the cell's resolution are all 7 (binary 111).

create or replace function h3_resolution(cell bigint) returns integer
language sql immutable parallel safe as $$
  select ((cell >> 52) & 15)::integer
$$;

-- Parent of a cell at a coarser (or equal) resolution: set the resolution field to res and every
-- digit finer than res to 7. Returns null when res is finer than the cell, as there is no parent,
-- and for null input. Not declared STRICT: the planner inlines it only then, which makes a
-- GROUP BY over millions of rows several times faster.
create or replace function h3_parent(cell bigint, res integer) returns bigint
language sql immutable parallel safe as $$
  select case
    when res < 0 or res > ((cell >> 52) & 15) then null
    else ((cell & ~(15::bigint << 52)) | (res::bigint << 52))
         | ((1::bigint << (3 * (15 - res))) - 1)
  end
$$;
