/*
 * The generator: merges the events of every actor into one stream in time
 * order, with a binary min-heap keyed on (next event time, creation order).
 */
#include <stdlib.h>

#include "sim_internal.h"

struct sim_gen {
    sim_world *world;
    sim_actor **heap;
    size_t count, cap;
};

void sim_options_init(sim_options *o)
{
    o->tests = SIM_TEST_ALL;
    o->seed = SIM_DEFAULT_SEED;
    o->background = 0;
    o->start = SIM_DEFAULT_START;
}

int sim_actor_push(sim_actor *a, sim_actor ***actors, size_t *n, size_t *cap)
{
    if (!a)
        return -1;
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        sim_actor **grown = realloc(*actors, c * sizeof(*grown));
        if (!grown) {
            a->free(a);
            return -1;
        }
        *actors = grown;
        *cap = c;
    }
    a->order = *n;
    (*actors)[(*n)++] = a;
    return 0;
}

static bool before(const sim_actor *a, const sim_actor *b)
{
    return a->next < b->next || (a->next == b->next && a->order < b->order);
}

static void sift_down(sim_actor **heap, size_t count, size_t i)
{
    for (;;) {
        size_t least = i, l = 2 * i + 1, r = l + 1;
        if (l < count && before(heap[l], heap[least]))
            least = l;
        if (r < count && before(heap[r], heap[least]))
            least = r;
        if (least == i)
            return;
        sim_actor *t = heap[i];
        heap[i] = heap[least];
        heap[least] = t;
        i = least;
    }
}

void sim_gen_free(sim_gen *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->count; i++)
        g->heap[i]->free(g->heap[i]);
    free(g->heap);
    sim_world_free(g->world);
    free(g);
}

sim_gen *sim_gen_new(const sim_options *o)
{
    sim_gen *g = calloc(1, sizeof(*g));
    if (!g)
        return NULL;
    g->world = sim_world_new(o);
    if (!g->world || sim_tests_add(g->world, o, &g->heap, &g->count, &g->cap) < 0 ||
        sim_background_add(g->world, o, &g->heap, &g->count, &g->cap) < 0) {
        sim_gen_free(g);
        return NULL;
    }
    /* Actors that have nothing to do leave at once; then the rest become a heap. */
    size_t kept = 0;
    for (size_t i = 0; i < g->count; i++) {
        if (g->heap[i]->next == IH_TIME_NONE)
            g->heap[i]->free(g->heap[i]);
        else
            g->heap[kept++] = g->heap[i];
    }
    g->count = kept;
    for (size_t i = g->count / 2; i-- > 0;)
        sift_down(g->heap, g->count, i);
    return g;
}

int sim_gen_next(sim_gen *g, sim_event *e)
{
    if (g->count == 0)
        return 0;
    sim_actor *a = g->heap[0];
    a->step(a, e);
    if (a->next == IH_TIME_NONE) {
        a->free(a);
        g->heap[0] = g->heap[--g->count];
    }
    sift_down(g->heap, g->count, 0);
    return 1;
}
