/* Compiled inner loops of event clustering and related-story ranking.
 *
 * Each function does exactly what its Python reference does (named in generator/kernels.py):
 * the same floating-point operations in the same order, so the same floats and the same
 * results (tests/test_kernels.py checks both on random inputs and on whole computations).
 * The module is optional: when it cannot be compiled, or DIGEST_PURE_PYTHON is set, the
 * Python references run. Built with -ffp-contract=off, so no multiply and add are fused
 * into one rounding (Python rounds each).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>

/* ---- summing as the running Python's sum() does ------------------------------------ */

/* sum() of floats: a plain running total up to 3.11; from 3.12 on, Neumaier's
 * compensated sum, with the compensation added at the end when finite and non-zero. */
typedef struct {
    double total;
    double compensation;
} Sum;

static inline void sum_add(Sum *sum, double x)
{
#if PY_VERSION_HEX >= 0x030C0000
    double t = sum->total + x;
    if (fabs(sum->total) >= fabs(x)) {
        sum->compensation += (sum->total - t) + x;
    }
    else {
        sum->compensation += (x - t) + sum->total;
    }
    sum->total = t;
#else
    sum->total += x;
#endif
}

static inline double sum_result(const Sum *sum)
{
#if PY_VERSION_HEX >= 0x030C0000
    if (sum->compensation != 0.0 && isfinite(sum->compensation)) {
        return sum->total + sum->compensation;
    }
#endif
    return sum->total;
}

static int as_double(PyObject *value, double *out)
{
    if (PyFloat_CheckExact(value)) {
        *out = PyFloat_AS_DOUBLE(value);
        return 0;
    }
    *out = PyFloat_AsDouble(value);
    return (*out == -1.0 && PyErr_Occurred()) ? -1 : 0;
}

/* ---- dot ------------------------------------------------------------------------------ */

PyDoc_STRVAR(dot_doc,
"dot(first, second) -> float\n\n"
"Dot product of two sparse vectors (dicts of term -> float); see kernels.dot_vectors.");

/* the dot product of two dicts of term -> float, as cluster_links.dot_vectors_python */
static int dot_dicts(PyObject *first, PyObject *second, double *out)
{
    if (PyDict_GET_SIZE(first) > PyDict_GET_SIZE(second)) {
        PyObject *swap = first;
        first = second;
        second = swap;
    }
    Sum sum = {0.0, 0.0};
    Py_ssize_t position = 0;
    PyObject *term, *value;
    while (PyDict_Next(first, &position, &term, &value)) {
        double mine, theirs = 0.0;
        if (as_double(value, &mine) < 0) {
            return -1;
        }
        PyObject *other = PyDict_GetItemWithError(second, term);
        if (other != NULL) {
            if (as_double(other, &theirs) < 0) {
                return -1;
            }
        }
        else if (PyErr_Occurred()) {
            return -1;
        }
        sum_add(&sum, mine * theirs);
    }
    *out = sum_result(&sum);
    return 0;
}

static PyObject *dot(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyDict_Check(args[0]) || !PyDict_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "dot(first: dict, second: dict)");
        return NULL;
    }
    double total;
    if (dot_dicts(args[0], args[1], &total) < 0) {
        return NULL;
    }
    return PyFloat_FromDouble(total);
}

/* ---- a map from int64 keys to doubles ------------------------------------------------- */

/* Open addressing over a power-of-two table that grows to stay at most half full; keys are
 * >= 0, so -1 marks a free slot. `order` lists the keys in first-insertion order (as a
 * Python dict keeps them). */
typedef struct {
    int64_t *keys;
    double *values;
    int64_t *order;
    Py_ssize_t mask, count;
} Table;

static int table_init(Table *table, Py_ssize_t expected)
{
    Py_ssize_t size = 64;
    while (size < 2 * expected) {
        size *= 2;
    }
    table->keys = PyMem_Malloc(size * sizeof(int64_t));
    table->values = PyMem_Malloc(size * sizeof(double));
    table->order = PyMem_Malloc(size * sizeof(int64_t));
    if (!table->keys || !table->values || !table->order) {
        PyMem_Free(table->keys);
        PyMem_Free(table->values);
        PyMem_Free(table->order);
        table->keys = NULL;
        table->values = NULL;
        table->order = NULL;
        PyErr_NoMemory();
        return -1;
    }
    memset(table->keys, 0xff, size * sizeof(int64_t));
    table->mask = size - 1;
    table->count = 0;
    return 0;
}

static void table_free(Table *table)
{
    PyMem_Free(table->keys);
    PyMem_Free(table->values);
    PyMem_Free(table->order);
}

static inline Py_ssize_t table_slot(const Table *table, int64_t key)
{
    Py_ssize_t slot = ((uint64_t)key * 0x9E3779B97F4A7C15ull >> 20) & table->mask;
    while (table->keys[slot] != -1 && table->keys[slot] != key) {
        slot = (slot + 1) & table->mask;
    }
    return slot;
}

static inline int table_get(const Table *table, int64_t key, double *out)
{
    Py_ssize_t slot = table_slot(table, key);
    if (table->keys[slot] == -1) {
        return 0;
    }
    *out = table->values[slot];
    return 1;
}

/* The slot for `key`, made (with value 0.0) if it is new; -1 on an error. */
static Py_ssize_t table_claim(Table *table, int64_t key)
{
    if (2 * (table->count + 1) > table->mask + 1) {
        Table grown;
        if (table_init(&grown, table->mask + 1) < 0) {
            return -1;
        }
        for (Py_ssize_t i = 0; i < table->count; i++) {
            Py_ssize_t from = table_slot(table, table->order[i]);
            Py_ssize_t slot = table_slot(&grown, table->order[i]);
            grown.keys[slot] = table->order[i];
            grown.values[slot] = table->values[from];
            grown.order[i] = table->order[i];
        }
        grown.count = table->count;
        table_free(table);
        *table = grown;
    }
    Py_ssize_t slot = table_slot(table, key);
    if (table->keys[slot] == -1) {
        table->keys[slot] = key;
        table->values[slot] = 0.0;
        table->order[table->count++] = key;
    }
    return slot;
}

/* table[key] = value */
static inline int table_put(Table *table, int64_t key, double value)
{
    Py_ssize_t slot = table_claim(table, key);
    if (slot < 0) {
        return -1;
    }
    table->values[slot] = value;
    return 0;
}

/* table[key] = table.get(key, 0.0) + x */
static inline int table_add(Table *table, int64_t key, double x)
{
    Py_ssize_t slot = table_claim(table, key);
    if (slot < 0) {
        return -1;
    }
    table->values[slot] = table->values[slot] + x;
    return 0;
}

/* every int of an iterable (a set of codes) into `table` */
static int table_fill(Table *table, PyObject *iterable)
{
    PyObject *iterator = PyObject_GetIter(iterable), *item;
    if (iterator == NULL) {
        return -1;
    }
    while ((item = PyIter_Next(iterator)) != NULL) {
        long long code = PyLong_AsLongLong(item);
        Py_DECREF(item);
        if ((code == -1 && PyErr_Occurred()) || table_put(table, code, 1.0) < 0) {
            Py_DECREF(iterator);
            return -1;
        }
    }
    Py_DECREF(iterator);
    return PyErr_Occurred() ? -1 : 0;
}

/* ---- overlaps ------------------------------------------------------------------------- */

static int number_at(PyObject *numbers, Py_ssize_t at, Py_ssize_t *out)
{
    *out = PyLong_AsSsize_t(PyList_GET_ITEM(numbers, at));
    return (*out == -1 && PyErr_Occurred()) ? -1 : 0;
}

/* bisect_left(numbers, value, low, high) over a list of ints */
static Py_ssize_t bisect_numbers(PyObject *numbers, Py_ssize_t value, Py_ssize_t low,
                                 Py_ssize_t high)
{
    while (low < high) {
        Py_ssize_t middle = low + (high - low) / 2, found;
        if (number_at(numbers, middle, &found) < 0) {
            return -1;
        }
        if (found < value) {
            low = middle + 1;
        }
        else {
            high = middle;
        }
    }
    return low;
}

PyDoc_STRVAR(overlaps_doc,
"overlaps(signature, stop, most, floor) -> dict[int, float]\n\n"
"The partial overlaps reaching floor; see kernels.passing_overlaps.");

static PyObject *overlaps(PyObject *module, PyObject *args)
{
    PyObject *signature;
    Py_ssize_t stop, most;
    double floor;
    if (!PyArg_ParseTuple(args, "O!nnd", &PyList_Type, &signature, &stop, &most, &floor)) {
        return NULL;
    }
    Py_ssize_t terms = PyList_GET_SIZE(signature);
    Table map;
    if (table_init(&map, terms * (most + 1) + 1) < 0) {
        return NULL;
    }
    for (Py_ssize_t t = 0; t < terms; t++) {
        PyObject *entry = PyList_GET_ITEM(signature, t);
        PyObject *columns, *numbers, *weights;
        Py_ssize_t place;
        double weight;
        if (!PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 3
            || !PyTuple_Check(columns = PyTuple_GET_ITEM(entry, 0))
            || PyTuple_GET_SIZE(columns) != 2
            || !PyList_Check(numbers = PyTuple_GET_ITEM(columns, 0))
            || !PyList_Check(weights = PyTuple_GET_ITEM(columns, 1))
            || PyList_GET_SIZE(weights) != PyList_GET_SIZE(numbers)) {
            PyErr_SetString(PyExc_TypeError,
                            "a signature entry is ((numbers, weights), place, weight)");
            goto fail;
        }
        place = PyLong_AsSsize_t(PyTuple_GET_ITEM(entry, 1));
        if (place == -1 && PyErr_Occurred()) {
            goto fail;
        }
        if (as_double(PyTuple_GET_ITEM(entry, 2), &weight) < 0) {
            goto fail;
        }
        Py_ssize_t length = PyList_GET_SIZE(numbers);
        Py_ssize_t start = place + 1;
        Py_ssize_t high = start + most + 1 < length ? start + most + 1 : length;
        Py_ssize_t end = start < high ? bisect_numbers(numbers, stop, start, high) : start;
        if (end < 0) {
            goto fail;
        }
        if (end - start > most) {
            continue;
        }
        for (Py_ssize_t i = start; i < end; i++) {
            Py_ssize_t other;
            double theirs;
            if (number_at(numbers, i, &other) < 0
                || as_double(PyList_GET_ITEM(weights, i), &theirs) < 0) {
                goto fail;
            }
            if (table_add(&map, other, weight * theirs) < 0) {
                goto fail;
            }
        }
    }
    PyObject *result = PyDict_New();
    if (result == NULL) {
        goto fail;
    }
    for (Py_ssize_t i = 0; i < map.count; i++) {
        double total = 0.0;
        table_get(&map, map.order[i], &total);
        if (total >= floor) {
            PyObject *key = PyLong_FromLongLong(map.order[i]);
            PyObject *value = PyFloat_FromDouble(total);
            int failed = key == NULL || value == NULL || PyDict_SetItem(result, key, value) < 0;
            Py_XDECREF(key);
            Py_XDECREF(value);
            if (failed) {
                Py_DECREF(result);
                goto fail;
            }
        }
    }
    table_free(&map);
    return result;
fail:
    table_free(&map);
    return NULL;
}

/* ---- rank ----------------------------------------------------------------------------- */

typedef struct {
    double value;
    Py_ssize_t other;
    PyObject *key;
} Candidate;

static int compare_values(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* as Python orders the tuples (value, key, other) */
static int compare_candidates(const void *a, const void *b)
{
    const Candidate *x = a, *y = b;
    if (x->value != y->value) {
        return x->value < y->value ? -1 : 1;
    }
    if (x->key != y->key) {
        int order = PyUnicode_Compare(x->key, y->key);
        if (order != 0) {
            return order;
        }
    }
    return (x->other > y->other) - (x->other < y->other);
}

PyDoc_STRVAR(rank_doc,
"rank(places, gains, times, keys, keep, term_weight, half, half_life_days)\n"
"-> (bytes, bytes, bytes)\n\n"
"Every story's best related candidates; see kernels.rank_all.");

typedef struct {
    int64_t *items;
    Py_ssize_t count, size;
} Int64s;

static int int64s_append(Int64s *list, int64_t item)
{
    if (list->count == list->size) {
        Py_ssize_t size = list->size ? 2 * list->size : 1024;
        int64_t *items = PyMem_Realloc(list->items, size * sizeof(int64_t));
        if (items == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        list->items = items;
        list->size = size;
    }
    list->items[list->count++] = item;
    return 0;
}

/* Scores of one story's candidates (every story sharing a posting with it, nearby in the
 * posting), accumulated in `totals` (by number; `stamp` marks those seen for `number`, and
 * `touched` lists them in first-seen order). Returns how many, or -1 on an error. */
static Py_ssize_t score_story(PyObject *entries, PyObject *gains, Py_ssize_t number,
                              Py_ssize_t stories, Py_ssize_t half, double term_weight,
                              double *totals, Py_ssize_t *stamp, Py_ssize_t *touched)
{
    Py_ssize_t count = 0;
    if (!PyTuple_Check(entries)) {
        PyErr_SetString(PyExc_TypeError, "a story's places are a tuple");
        return -1;
    }
    for (Py_ssize_t e = 0; e < PyTuple_GET_SIZE(entries); e++) {
        PyObject *entry = PyTuple_GET_ITEM(entries, e), *numbers, *weights;
        if (!PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 3
            || !PyList_Check(numbers = PyTuple_GET_ITEM(entry, 0))
            || !PyList_Check(weights = PyTuple_GET_ITEM(entry, 1))) {
            PyErr_SetString(PyExc_TypeError, "a place is (numbers, weights, at)");
            return -1;
        }
        Py_ssize_t at = PyLong_AsSsize_t(PyTuple_GET_ITEM(entry, 2));
        if (at == -1 && PyErr_Occurred()) {
            return -1;
        }
        Py_ssize_t length = PyList_GET_SIZE(numbers);
        Py_ssize_t low = at - half > 0 ? at - half : 0;
        Py_ssize_t high = at + half + 1 < length ? at + half + 1 : length;
        int topic = PyList_GET_SIZE(weights) == 0;
        double weight;
        if (topic) {  /* the same gain for every story under it */
            PyObject *id = PyLong_FromVoidPtr(numbers);
            if (id == NULL) {
                return -1;
            }
            PyObject *gain = PyDict_GetItemWithError(gains, id);
            Py_DECREF(id);
            if (gain == NULL) {
                if (!PyErr_Occurred()) {
                    PyErr_SetString(PyExc_KeyError, "a topic posting without a gain");
                }
                return -1;
            }
            if (as_double(gain, &weight) < 0) {
                return -1;
            }
        }
        else {
            if (PyList_GET_SIZE(weights) != length || at < 0 || at >= length) {
                PyErr_SetString(PyExc_ValueError, "a term's weights do not match its numbers");
                return -1;
            }
            double mine;
            if (as_double(PyList_GET_ITEM(weights, at), &mine) < 0) {
                return -1;
            }
            weight = term_weight * mine;
        }
        for (Py_ssize_t i = low; i < high; i++) {
            Py_ssize_t other;
            double add = weight;
            if (number_at(numbers, i, &other) < 0) {
                return -1;
            }
            if (other < 0 || other >= stories) {
                PyErr_SetString(PyExc_IndexError, "a posting names no story");
                return -1;
            }
            if (!topic) {
                double theirs;
                if (as_double(PyList_GET_ITEM(weights, i), &theirs) < 0) {
                    return -1;
                }
                add = weight * theirs;
            }
            if (stamp[other] == number) {
                totals[other] = totals[other] + add;
            }
            else {
                stamp[other] = number;
                totals[other] = 0.0 + add;
                touched[count++] = other;
            }
        }
    }
    return count;
}

static PyObject *rank(PyObject *module, PyObject *args)
{
    PyObject *places, *gains, *times_list, *keys;
    Py_ssize_t keep, half;
    double term_weight, half_life_days;
    if (!PyArg_ParseTuple(args, "O!O!O!O!ndnd", &PyList_Type, &places, &PyDict_Type, &gains,
                          &PyList_Type, &times_list, &PyList_Type, &keys, &keep,
                          &term_weight, &half, &half_life_days)) {
        return NULL;
    }
    Py_ssize_t stories = PyList_GET_SIZE(times_list);
    if (PyList_GET_SIZE(places) != stories || PyList_GET_SIZE(keys) != stories || keep < 1) {
        PyErr_SetString(PyExc_ValueError, "places, times and keys differ in length, or keep < 1");
        return NULL;
    }
    PyObject *result = NULL;
    Int64s found = {NULL, 0, 0};
    double *times = PyMem_Malloc((stories + 1) * sizeof(double));
    double *totals = PyMem_Malloc((stories + 1) * sizeof(double));
    double *values = PyMem_Malloc((stories + 1) * sizeof(double));
    Py_ssize_t *stamp = PyMem_Malloc((stories + 1) * sizeof(Py_ssize_t));
    Py_ssize_t *touched = PyMem_Malloc((stories + 1) * sizeof(Py_ssize_t));
    Candidate *candidates = PyMem_Malloc((stories + 1) * sizeof(Candidate));
    int64_t *kept = PyMem_Malloc((stories + 1) * sizeof(int64_t));
    int64_t *total = PyMem_Malloc((stories + 1) * sizeof(int64_t));
    if (!times || !totals || !values || !stamp || !touched || !candidates || !kept || !total) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < stories; i++) {
        if (as_double(PyList_GET_ITEM(times_list, i), &times[i]) < 0) {
            goto done;
        }
        stamp[i] = -1;
    }
    for (Py_ssize_t number = 0; number < stories; number++) {
        Py_ssize_t count = score_story(PyList_GET_ITEM(places, number), gains, number,
                                       stories, half, term_weight, totals, stamp, touched);
        if (count < 0) {
            goto done;
        }
        /* the story itself is no candidate; the decayed value of the others */
        double now = times[number];
        Py_ssize_t ranked = 0;
        for (Py_ssize_t i = 0; i < count; i++) {
            Py_ssize_t other = touched[i];
            if (other == number) {
                continue;
            }
            candidates[ranked].value =
                -totals[other] / (1.0 + fabs(times[other] - now) / 86400.0 / half_life_days);
            candidates[ranked].other = other;
            candidates[ranked].key = PyList_GET_ITEM(keys, other);
            ranked++;
        }
        /* only the few that can make the cut are sorted with their keys */
        Py_ssize_t cut = ranked;
        if (ranked > keep) {
            for (Py_ssize_t i = 0; i < ranked; i++) {
                values[i] = candidates[i].value;
            }
            qsort(values, ranked, sizeof(double), compare_values);
            double cutoff = values[keep - 1];
            cut = 0;
            for (Py_ssize_t i = 0; i < ranked; i++) {
                if (candidates[i].value <= cutoff) {
                    candidates[cut++] = candidates[i];
                }
            }
        }
        for (Py_ssize_t i = 0; i < cut; i++) {
            if (!PyUnicode_Check(candidates[i].key)) {
                PyErr_SetString(PyExc_TypeError, "story keys are str");
                goto done;
            }
        }
        qsort(candidates, cut, sizeof(Candidate), compare_candidates);
        Py_ssize_t best = cut < keep ? cut : keep;
        for (Py_ssize_t i = 0; i < best; i++) {
            if (int64s_append(&found, candidates[i].other) < 0) {
                goto done;
            }
        }
        kept[number] = best;
        total[number] = ranked;
    }
    result = Py_BuildValue("(y#y#y#)", (const char *)found.items,
                           found.count * (Py_ssize_t)sizeof(int64_t), (const char *)kept,
                           stories * (Py_ssize_t)sizeof(int64_t), (const char *)total,
                           stories * (Py_ssize_t)sizeof(int64_t));
done:
    PyMem_Free(found.items);
    PyMem_Free(times);
    PyMem_Free(totals);
    PyMem_Free(values);
    PyMem_Free(stamp);
    PyMem_Free(touched);
    PyMem_Free(candidates);
    PyMem_Free(kept);
    PyMem_Free(total);
    return result;
}

/* ---- join ----------------------------------------------------------------------------- */

/* what join reads of the records and the constants */
typedef struct {
    PyObject *records, *known;
    Py_ssize_t size, sample_size;
    double max_pair_score, seconds_per_day, date_penalty, related_bonus, window_days;
    Py_ssize_t r_time, r_vector, r_urls, r_own, r_listed;
    double *times;
    Table scores;
} Join;

static int record_field(const Join *join, Py_ssize_t number, Py_ssize_t field, PyObject **out)
{
    PyObject *record = PyList_GET_ITEM(join->records, number);
    if (!PyTuple_Check(record) || field < 0 || field >= PyTuple_GET_SIZE(record)) {
        PyErr_SetString(PyExc_TypeError, "a story record is a tuple with every field");
        return -1;
    }
    *out = PyTuple_GET_ITEM(record, field);
    return 0;
}

/* whether two tuples (or lists) of keys have one in common (as frozenset.isdisjoint) */
static int share(PyObject *first, PyObject *second)
{
    if (!(PyTuple_Check(first) || PyList_Check(first))
        || !(PyTuple_Check(second) || PyList_Check(second))) {
        PyErr_SetString(PyExc_TypeError, "a record's keys are a tuple or a list");
        return -1;
    }
    Py_ssize_t m = PySequence_Fast_GET_SIZE(first), n = PySequence_Fast_GET_SIZE(second);
    PyObject **left = PySequence_Fast_ITEMS(first), **right = PySequence_Fast_ITEMS(second);
    for (Py_ssize_t i = 0; i < m; i++) {
        for (Py_ssize_t j = 0; j < n; j++) {
            int equal = PyObject_RichCompareBool(left[i], right[j], Py_EQ);
            if (equal != 0) {
                return equal;
            }
        }
    }
    return 0;
}

/* cluster_join._PairScorer.score(a, b), a < b, with score_unshared_pair */
static int pair_score(const Join *join, Py_ssize_t a, Py_ssize_t b, double *out)
{
    PyObject *urls, *other_urls, *own, *other_own, *listed, *other_listed;
    if (record_field(join, a, join->r_urls, &urls) < 0
        || record_field(join, b, join->r_urls, &other_urls) < 0) {
        return -1;
    }
    int shared = share(urls, other_urls);
    if (shared != 0) {
        *out = 1.0;
        return shared < 0 ? -1 : 0;
    }
    if (record_field(join, a, join->r_own, &own) < 0
        || record_field(join, b, join->r_own, &other_own) < 0
        || record_field(join, a, join->r_listed, &listed) < 0
        || record_field(join, b, join->r_listed, &other_listed) < 0) {
        return -1;
    }
    int related = share(listed, other_own);
    if (related == 0) {
        related = share(other_listed, own);
    }
    if (related < 0) {
        return -1;
    }
    double distance = fabs(join->times[a] - join->times[b]) / join->seconds_per_day;
    if (distance > join->window_days) {
        *out = 0.0;
        return 0;
    }
    PyObject *vector, *other_vector;
    if (record_field(join, a, join->r_vector, &vector) < 0
        || record_field(join, b, join->r_vector, &other_vector) < 0) {
        return -1;
    }
    if (!PyDict_Check(vector) || !PyDict_Check(other_vector)) {
        PyErr_SetString(PyExc_TypeError, "a record's vector is a dict");
        return -1;
    }
    double cosine;
    if (dot_dicts(vector, other_vector, &cosine) < 0) {
        return -1;
    }
    double score = cosine * (1.0 - join->date_penalty * distance / join->window_days);
    *out = score + (related ? join->related_bonus : 0.0);
    return 0;
}

/* known[code] = score */
static int remember(PyObject *known, int64_t code, double score)
{
    PyObject *key = PyLong_FromLongLong(code), *value = PyFloat_FromDouble(score);
    int failed = key == NULL || value == NULL || PyDict_SetItem(known, key, value) < 0;
    Py_XDECREF(key);
    Py_XDECREF(value);
    return failed ? -1 : 0;
}

/* cluster_join._are_close_on_average: 1, 0, or -1 on an error */
static int close_on_average(Join *join, const Py_ssize_t *first, Py_ssize_t first_count,
                            const Py_ssize_t *second, Py_ssize_t second_count, double floor)
{
    if (first_count == 1 && second_count == 1) {
        return 1;
    }
    double total = 0.0;
    Py_ssize_t pairs = first_count * second_count, remaining = pairs;
    for (Py_ssize_t i = 0; i < first_count; i++) {
        for (Py_ssize_t j = 0; j < second_count; j++) {
            Py_ssize_t a = first[i], b = second[j];
            if (a > b) {
                Py_ssize_t swap = a;
                a = b;
                b = swap;
            }
            int64_t code = (int64_t)a * join->size + b;
            double score;
            if (!table_get(&join->scores, code, &score)) {
                if (pair_score(join, a, b, &score) < 0
                    || table_put(&join->scores, code, score) < 0
                    || remember(join->known, code, score) < 0) {
                    return -1;
                }
            }
            total += score;
            remaining -= 1;
            if (total / (double)pairs >= floor) {
                return 1;
            }
            if ((total + join->max_pair_score * (double)remaining) / (double)pairs < floor) {
                return 0;
            }
        }
    }
    return total / (double)pairs >= floor;
}

PyDoc_STRVAR(join_doc,
"join(constants, codes, known, same_url, records, touched, joined, window_days, floor)\n"
"-> (root, touched, joins)\n\n"
"Which links join their groups; see cluster_join.decide_joins_python.");

static PyObject *join_links(PyObject *module, PyObject *args)
{
    PyObject *codes, *known, *same_url, *records, *touched_list, *joined, *constants;
    double window_days, floor;
    Join join;
    if (!PyArg_ParseTuple(args, "O!O!O!OO!O!Odd", &PyTuple_Type, &constants, &PyList_Type,
                          &codes, &PyDict_Type, &known, &same_url, &PyList_Type, &records,
                          &PyList_Type, &touched_list, &joined, &window_days, &floor)) {
        return NULL;
    }
    if (!PyArg_ParseTuple(constants, "ndnnnnnddd", &join.sample_size, &join.max_pair_score,
                          &join.r_time, &join.r_vector, &join.r_urls, &join.r_own,
                          &join.r_listed, &join.seconds_per_day, &join.date_penalty,
                          &join.related_bonus)) {
        return NULL;
    }
    Py_ssize_t size = PyList_GET_SIZE(records);
    if (PyList_GET_SIZE(touched_list) != size || join.sample_size < 1) {
        PyErr_SetString(PyExc_ValueError, "touched and records differ in length");
        return NULL;
    }
    join.records = records;
    join.known = known;
    join.size = size;
    join.window_days = window_days;
    PyObject *result = NULL, *joins = NULL;
    Table same = {NULL, NULL, NULL, 0, 0}, before = {NULL, NULL, NULL, 0, 0};
    join.scores = same;
    Py_ssize_t sample_size = join.sample_size;
    join.times = PyMem_Malloc((size + 1) * sizeof(double));
    double *first = PyMem_Malloc((size + 1) * sizeof(double));
    double *last = PyMem_Malloc((size + 1) * sizeof(double));
    Py_ssize_t *root = PyMem_Malloc((size + 1) * sizeof(Py_ssize_t));
    Py_ssize_t *next = PyMem_Malloc((size + 1) * sizeof(Py_ssize_t));
    Py_ssize_t *tail = PyMem_Malloc((size + 1) * sizeof(Py_ssize_t));
    Py_ssize_t *count = PyMem_Malloc((size + 1) * sizeof(Py_ssize_t));
    Py_ssize_t *sample = PyMem_Malloc((size + 1) * sample_size * sizeof(Py_ssize_t));
    Py_ssize_t *sample_count = PyMem_Malloc((size + 1) * sizeof(Py_ssize_t));
    Py_ssize_t *merged = PyMem_Malloc(2 * sample_size * sizeof(Py_ssize_t));
    char *touched = PyMem_Malloc(size + 1);
    if (!join.times || !first || !last || !root || !next || !tail || !count || !sample
        || !sample_count || !merged || !touched) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < size; i++) {
        PyObject *time;
        if (record_field(&join, i, join.r_time, &time) < 0
            || as_double(time, &join.times[i]) < 0) {
            goto done;
        }
        first[i] = last[i] = join.times[i] / 86400.0;
        root[i] = tail[i] = i;
        next[i] = -1;
        count[i] = 1;
        sample[i * sample_size] = i;
        sample_count[i] = 1;
        int is_touched = PyObject_IsTrue(PyList_GET_ITEM(touched_list, i));
        if (is_touched < 0) {
            goto done;
        }
        touched[i] = (char)is_touched;
    }
    if (table_init(&join.scores, PyDict_GET_SIZE(known)) < 0
        || table_init(&same, 16) < 0 || table_init(&before, 16) < 0
        || table_fill(&same, same_url) < 0 || (joined != Py_None && table_fill(&before, joined) < 0)) {
        goto done;
    }
    Py_ssize_t position = 0;
    PyObject *key, *value;
    while (PyDict_Next(known, &position, &key, &value)) {
        long long code = PyLong_AsLongLong(key);
        double score;
        if ((code == -1 && PyErr_Occurred()) || as_double(value, &score) < 0
            || table_put(&join.scores, code, score) < 0) {
            goto done;
        }
    }
    joins = PyList_New(0);
    if (joins == NULL) {
        goto done;
    }
    double unused;
    for (Py_ssize_t c = 0; c < PyList_GET_SIZE(codes); c++) {
        PyObject *item = PyList_GET_ITEM(codes, c);
        long long code = PyLong_AsLongLong(item);
        if (code == -1 && PyErr_Occurred()) {
            goto done;
        }
        if (code < 0 || code >= (long long)size * size) {
            PyErr_SetString(PyExc_IndexError, "a link code names no pair of stories");
            goto done;
        }
        Py_ssize_t a = (Py_ssize_t)(code / size), b = (Py_ssize_t)(code % size);
        Py_ssize_t left = root[a], right = root[b];
        if (left == right) {
            continue;
        }
        double low = first[left], high = last[left];
        if (first[right] < low) {
            low = first[right];
        }
        if (last[right] > high) {
            high = last[right];
        }
        if (touched[left] || touched[right]) {
            if (!table_get(&same, code, &unused)) {
                int close = 0;
                if (!(high - low > window_days)) {
                    close = close_on_average(&join, &sample[left * sample_size],
                                             sample_count[left], &sample[right * sample_size],
                                             sample_count[right], floor);
                    if (close < 0) {
                        goto done;
                    }
                }
                if (!close) {
                    if (table_get(&before, code, &unused)) {
                        touched[left] = touched[right] = 1;
                    }
                    continue;
                }
            }
        }
        else if (!table_get(&before, code, &unused)) {
            continue;
        }
        if (count[left] < count[right]) {
            Py_ssize_t swap = left;
            left = right;
            right = swap;
        }
        for (Py_ssize_t index = right; index != -1; index = next[index]) {
            root[index] = left;
        }
        next[tail[left]] = right;
        tail[left] = tail[right];
        count[left] += count[right];
        /* the earliest members of both, in order (both samples are sorted) */
        Py_ssize_t *mine = &sample[left * sample_size], *theirs = &sample[right * sample_size];
        Py_ssize_t i = 0, j = 0, k = 0;
        while (k < sample_size && (i < sample_count[left] || j < sample_count[right])) {
            if (j >= sample_count[right] || (i < sample_count[left] && mine[i] < theirs[j])) {
                merged[k++] = mine[i++];
            }
            else {
                merged[k++] = theirs[j++];
            }
        }
        memcpy(mine, merged, k * sizeof(Py_ssize_t));
        sample_count[left] = k;
        first[left] = low;
        last[left] = high;
        touched[left] = touched[left] || touched[right];
        if (PyList_Append(joins, item) < 0) {
            goto done;
        }
    }
    PyObject *roots = PyList_New(size), *touched_out = PyList_New(size);
    if (roots == NULL || touched_out == NULL) {
        Py_XDECREF(roots);
        Py_XDECREF(touched_out);
        goto done;
    }
    for (Py_ssize_t i = 0; i < size; i++) {
        PyObject *number = PyLong_FromSsize_t(root[i]);
        if (number == NULL) {
            Py_DECREF(roots);
            Py_DECREF(touched_out);
            goto done;
        }
        PyList_SET_ITEM(roots, i, number);
        PyObject *flag = touched[i] ? Py_True : Py_False;
        Py_INCREF(flag);
        PyList_SET_ITEM(touched_out, i, flag);
    }
    result = PyTuple_Pack(3, roots, touched_out, joins);
    Py_DECREF(roots);
    Py_DECREF(touched_out);
done:
    Py_XDECREF(joins);
    table_free(&join.scores);
    table_free(&same);
    table_free(&before);
    PyMem_Free(join.times);
    PyMem_Free(first);
    PyMem_Free(last);
    PyMem_Free(root);
    PyMem_Free(next);
    PyMem_Free(tail);
    PyMem_Free(count);
    PyMem_Free(sample);
    PyMem_Free(sample_count);
    PyMem_Free(merged);
    PyMem_Free(touched);
    return result;
}

/* ---- vectors --------------------------------------------------------------------------- */

typedef struct {
    double weight;
    Py_ssize_t at;
} Weighted;

/* heaviest first, ties in term order (as a stable sort with reverse=True keeps them) */
static int compare_weighted(const void *a, const void *b)
{
    const Weighted *x = a, *y = b;
    if (x->weight != y->weight) {
        return x->weight > y->weight ? -1 : 1;
    }
    return (x->at > y->at) - (x->at < y->at);
}

/* one story's vector and strongest terms, as cluster_records.weigh_vectors_python */
static PyObject *weigh_one(PyObject *raw, PyObject *idf, const Py_UCS4 *letters,
                           const double *letter_weights, Py_ssize_t letter_count,
                           Py_ssize_t count, double **weights, Weighted **order,
                           Py_ssize_t *capacity)
{
    PyObject *terms, *codes;
    if (!PyTuple_Check(raw) || PyTuple_GET_SIZE(raw) != 2
        || !PyTuple_Check(terms = PyTuple_GET_ITEM(raw, 0))
        || !PyUnicode_Check(codes = PyTuple_GET_ITEM(raw, 1))) {
        PyErr_SetString(PyExc_TypeError, "raw weights are (tuple of terms, str of codes)");
        return NULL;
    }
    Py_ssize_t size = PyTuple_GET_SIZE(terms);
    if (PyUnicode_GET_LENGTH(codes) != size) {
        PyErr_SetString(PyExc_ValueError, "raw weights: as many codes as terms");
        return NULL;
    }
    if (size > *capacity) {
        double *grown = PyMem_Realloc(*weights, size * sizeof(double));
        if (grown == NULL) {
            PyErr_NoMemory();
            return NULL;
        }
        *weights = grown;
        Weighted *grown_order = PyMem_Realloc(*order, size * sizeof(Weighted));
        if (grown_order == NULL) {
            PyErr_NoMemory();
            return NULL;
        }
        *order = grown_order;
        *capacity = size;
    }
    int kind = PyUnicode_KIND(codes);
    const void *data = PyUnicode_DATA(codes);
    Sum squares = {0.0, 0.0};
    for (Py_ssize_t i = 0; i < size; i++) {
        Py_UCS4 letter = PyUnicode_READ(kind, data, i);
        Py_ssize_t found = 0;
        while (found < letter_count && letters[found] != letter) {
            found++;
        }
        if (found == letter_count) {
            PyErr_Format(PyExc_KeyError, "no weight for the code %c", (int)letter);
            return NULL;
        }
        PyObject *value = PyDict_GetItemWithError(idf, PyTuple_GET_ITEM(terms, i));
        double term_idf;
        if (value == NULL) {
            if (!PyErr_Occurred()) {
                PyErr_SetObject(PyExc_KeyError, PyTuple_GET_ITEM(terms, i));
            }
            return NULL;
        }
        if (as_double(value, &term_idf) < 0) {
            return NULL;
        }
        double weight = letter_weights[found] * term_idf;
        (*weights)[i] = weight;
        sum_add(&squares, weight * weight);
    }
    double norm = sqrt(sum_result(&squares));
    PyObject *vector = PyDict_New(), *strongest = NULL, *result = NULL;
    if (vector == NULL) {
        return NULL;
    }
    if (norm == 0.0) {
        size = 0;  /* no vector, no strongest terms */
    }
    for (Py_ssize_t i = 0; i < size; i++) {
        double weight = (*weights)[i] / norm;
        (*order)[i].weight = weight;
        (*order)[i].at = i;
        PyObject *value = PyFloat_FromDouble(weight);
        if (value == NULL || PyDict_SetItem(vector, PyTuple_GET_ITEM(terms, i), value) < 0) {
            Py_XDECREF(value);
            goto done;
        }
        Py_DECREF(value);
    }
    qsort(*order, size, sizeof(Weighted), compare_weighted);
    Py_ssize_t kept = size < count ? size : count;
    strongest = PyTuple_New(kept);
    if (strongest == NULL) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < kept; i++) {
        PyObject *term = PyTuple_GET_ITEM(terms, (*order)[i].at);
        Py_INCREF(term);
        PyTuple_SET_ITEM(strongest, i, term);
    }
    result = PyTuple_Pack(2, vector, strongest);
done:
    Py_DECREF(vector);
    Py_XDECREF(strongest);
    return result;
}

PyDoc_STRVAR(vectors_doc,
"vectors(weight_of_code, raws, idf, count) -> list[tuple[dict[str, float], tuple[str, ...]]]\n\n"
"Each story's vector and strongest terms; see cluster_records.weigh_vectors_python.");

static PyObject *vectors(PyObject *module, PyObject *args)
{
    PyObject *weight_of_code, *raws, *idf;
    Py_ssize_t count;
    if (!PyArg_ParseTuple(args, "O!O!O!n", &PyDict_Type, &weight_of_code, &PyList_Type, &raws,
                          &PyDict_Type, &idf, &count)) {
        return NULL;
    }
    Py_UCS4 letters[16];
    double letter_weights[16];
    Py_ssize_t letter_count = 0, position = 0;
    PyObject *code, *value;
    while (PyDict_Next(weight_of_code, &position, &code, &value)) {
        if (letter_count == 16 || !PyUnicode_Check(code) || PyUnicode_GET_LENGTH(code) != 1) {
            PyErr_SetString(PyExc_ValueError, "at most 16 codes, each one letter");
            return NULL;
        }
        letters[letter_count] = PyUnicode_READ_CHAR(code, 0);
        if (as_double(value, &letter_weights[letter_count]) < 0) {
            return NULL;
        }
        letter_count++;
    }
    Py_ssize_t stories = PyList_GET_SIZE(raws), capacity = 0;
    double *weights = NULL;
    Weighted *order = NULL;
    PyObject *result = PyList_New(stories);
    if (result == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < stories; i++) {
        PyObject *found = weigh_one(PyList_GET_ITEM(raws, i), idf, letters, letter_weights,
                                    letter_count, count, &weights, &order, &capacity);
        if (found == NULL) {
            Py_CLEAR(result);
            break;
        }
        PyList_SET_ITEM(result, i, found);
    }
    PyMem_Free(weights);
    PyMem_Free(order);
    return result;
}

/* ---- YAML front matter -------------------------------------------------------------- */

/* attribute and method names, interned once (PyInit__kernels) */
static PyObject *name_tag, *name_value, *name_match, *name_construct_object;

PyDoc_STRVAR(ignore_doc,
"ignore(*args) -> None\n\n"
"Does nothing: stands in for a YAML resolver's path hooks when it has no path resolvers.");

static PyObject *ignore(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    Py_RETURN_NONE;
}

PyDoc_STRVAR(resolve_doc,
"resolve(implicit_resolvers, default_tags, scalar_kind, known, kind, value, implicit) -> str\n\n"
"The tag of a YAML node; see yamlio.resolve_python. ``known`` (a dict) keeps the tags of\n"
"plain scalars already resolved, up to RESOLVE_MEMO_MOST short ones.");

/* yamlio.RESOLVE_MEMO_MOST and RESOLVE_MEMO_LONGEST (test_kernels checks both agree) */
#define RESOLVE_MEMO_MOST 20000
#define RESOLVE_MEMO_LONGEST 64

static PyObject *resolve_plain(PyObject *resolvers, PyObject *value);

static PyObject *resolve(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 7) {
        PyErr_SetString(PyExc_TypeError, "resolve() takes 7 arguments");
        return NULL;
    }
    PyObject *resolvers = args[0], *default_tags = args[1], *scalar_kind = args[2];
    PyObject *known = args[3], *kind = args[4], *value = args[5], *implicit = args[6];
    if (!PyDict_Check(resolvers) || !PyDict_Check(known)) {
        PyErr_SetString(PyExc_TypeError, "resolve() needs dicts of resolvers and known tags");
        return NULL;
    }
    if (kind == scalar_kind && value != Py_None) {
        PyObject *plain = PySequence_GetItem(implicit, 0);
        if (plain == NULL) {
            return NULL;
        }
        int is_plain = PyObject_IsTrue(plain);
        Py_DECREF(plain);
        if (is_plain < 0) {
            return NULL;
        }
        if (is_plain) {
            int memo = PyUnicode_CheckExact(value)
                       && PyUnicode_GET_LENGTH(value) <= RESOLVE_MEMO_LONGEST;
            if (memo) {
                PyObject *tag = PyDict_GetItemWithError(known, value);
                if (tag != NULL) {
                    return Py_NewRef(tag);
                }
                if (PyErr_Occurred()) {
                    return NULL;
                }
            }
            PyObject *tag = resolve_plain(resolvers, value);
            if (tag == NULL) {
                return NULL;
            }
            if (tag == Py_None) {
                Py_DECREF(tag);
                tag = PyObject_GetItem(default_tags, kind);
                if (tag == NULL) {
                    return NULL;
                }
            }
            if (memo && PyDict_GET_SIZE(known) < RESOLVE_MEMO_MOST
                    && PyDict_SetItem(known, value, tag) < 0) {
                Py_DECREF(tag);
                return NULL;
            }
            return tag;
        }
    }
    return PyObject_GetItem(default_tags, kind);
}

/* the tag of the first implicit resolver of a plain scalar that matches it, or None */
static PyObject *resolve_plain(PyObject *resolvers, PyObject *value)
{
    PyObject *first = PySequence_GetSlice(value, 0, 1);
    if (first == NULL) {
        return NULL;
    }
    PyObject *candidates = PyDict_GetItemWithError(resolvers, first);
    Py_DECREF(first);
    if (candidates == NULL) {
        return PyErr_Occurred() ? NULL : Py_NewRef(Py_None);
    }
    PyObject *listed = PySequence_Fast(candidates, "implicit resolvers must be a list");
    if (listed == NULL) {
        return NULL;
    }
    PyObject *found = Py_None;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(listed);
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *entry = PySequence_Fast_GET_ITEM(listed, i);
        if (!PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 2) {
            PyErr_SetString(PyExc_ValueError, "an implicit resolver is (tag, regexp)");
            found = NULL;
            break;
        }
        PyObject *match = PyObject_CallMethodOneArg(PyTuple_GET_ITEM(entry, 1), name_match,
                                                    value);
        int matched = match == NULL ? -1 : PyObject_IsTrue(match);
        Py_XDECREF(match);
        if (matched != 0) {
            found = matched < 0 ? NULL : PyObject_Str(PyTuple_GET_ITEM(entry, 0));
            Py_DECREF(listed);
            return found;
        }
    }
    Py_DECREF(listed);
    return Py_XNewRef(found);
}

/* What construct reads, from its first argument (see yamlio._PLAIN_CONSTANTS). */
typedef struct {
    Py_ssize_t max_depth;
    PyObject *str_tag, *int_tag, *seq_tag, *map_tag, *merge_tag;
    PyObject *scalar_kind, *sequence_kind, *mapping_kind, *not_plain;
} Plain;

static PyObject *construct_node(PyObject *loader, PyObject *node, Py_ssize_t depth,
                                const Plain *plain);


/* 1 if tag equals the interned constant, 0 if not, -1 on error */
static int same_tag(PyObject *tag, PyObject *constant)
{
    if (tag == constant) {
        return 1;
    }
    return PyObject_RichCompareBool(tag, constant, Py_EQ);
}

static PyObject *not_plain(const Plain *plain)
{
    PyErr_SetNone(plain->not_plain);
    return NULL;
}

/* str.isdigit(): at least one character, each a digit */
static int is_digits(PyObject *text)
{
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    for (Py_ssize_t i = 0; i < length; i++) {
        if (!Py_UNICODE_ISDIGIT(PyUnicode_READ(kind, data, i))) {
            return 0;
        }
    }
    return length > 0;
}

static PyObject *construct_scalar(PyObject *loader, PyObject *node, PyObject *tag,
                                  const Plain *plain)
{
    int is = same_tag(tag, plain->str_tag);
    if (is != 0) {
        return is < 0 ? NULL : PyObject_GetAttr(node, name_value);
    }
    PyObject *value = PyObject_GetAttr(node, name_value);
    if (value == NULL) {
        return NULL;
    }
    is = same_tag(tag, plain->int_tag);
    if (is > 0 && PyUnicode_Check(value) && is_digits(value)
            && (PyUnicode_READ_CHAR(value, 0) != '0' || PyUnicode_GET_LENGTH(value) == 1)) {
        PyObject *number = PyLong_FromUnicodeObject(value, 10);
        Py_DECREF(value);
        return number;
    }
    Py_DECREF(value);
    if (is < 0) {
        return NULL;
    }
    PyObject *call[3] = {loader, node, Py_True};
    return PyObject_VectorcallMethod(name_construct_object, call,
                                     3 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
}

/* one (key node, value node) pair of a mapping node, built into result: 0, or -1 on error
 * (not_plain for a key that is no scalar, or a merge key) */
static int construct_pair(PyObject *loader, PyObject *result, PyObject *pair_nodes,
                          Py_ssize_t depth, const Plain *plain)
{
    PyObject *pair = PySequence_Fast(pair_nodes, "a mapping node holds pairs");
    if (pair == NULL) {
        return -1;
    }
    if (PySequence_Fast_GET_SIZE(pair) != 2) {
        Py_DECREF(pair);
        PyErr_SetString(PyExc_ValueError, "a mapping node holds pairs");
        return -1;
    }
    PyObject *key_node = PySequence_Fast_GET_ITEM(pair, 0);
    PyObject *value_node = PySequence_Fast_GET_ITEM(pair, 1);
    int scalar = PyObject_IsInstance(key_node, plain->scalar_kind);
    PyObject *key_tag = scalar > 0 ? PyObject_GetAttr(key_node, name_tag) : NULL;
    int merge = key_tag == NULL ? -1 : same_tag(key_tag, plain->merge_tag);
    Py_XDECREF(key_tag);
    int failed = 1;
    if (scalar == 0 || merge > 0) {
        PyErr_SetNone(plain->not_plain);
    }
    else if (scalar > 0 && merge == 0) {  /* (the value first, as result[key()] = value()) */
        PyObject *value = construct_node(loader, value_node, depth + 1, plain);
        PyObject *key = value == NULL ? NULL
                                      : construct_node(loader, key_node, depth + 1, plain);
        failed = key == NULL || PyDict_SetItem(result, key, value) < 0;
        Py_XDECREF(key);
        Py_XDECREF(value);
    }
    Py_DECREF(pair);
    return failed ? -1 : 0;
}

/* the list (or, with mapping, the dict) that a collection node's children make */
static PyObject *construct_collection(PyObject *loader, PyObject *children, int mapping,
                                      Py_ssize_t depth, const Plain *plain)
{
    PyObject *listed = PySequence_Fast(children, "a collection node's value must be a list");
    if (listed == NULL) {
        return NULL;
    }
    Py_ssize_t count = PySequence_Fast_GET_SIZE(listed);
    PyObject *result = mapping ? PyDict_New() : PyList_New(count);
    for (Py_ssize_t i = 0; result != NULL && i < count; i++) {
        PyObject *child = PySequence_Fast_GET_ITEM(listed, i);
        if (mapping) {
            if (construct_pair(loader, result, child, depth, plain) < 0) {
                Py_CLEAR(result);
            }
            continue;
        }
        PyObject *item = construct_node(loader, child, depth + 1, plain);
        if (item == NULL) {
            Py_CLEAR(result);
            continue;
        }
        PyList_SET_ITEM(result, i, item);
    }
    Py_DECREF(listed);
    if (mapping && result != NULL && PyDict_GET_SIZE(result) != count) {
        Py_DECREF(result);  /* a key given twice: the standard constructor finds which */
        return not_plain(plain);
    }
    return result;
}

static PyObject *construct_node(PyObject *loader, PyObject *node, Py_ssize_t depth,
                                const Plain *plain)
{
    PyObject *tag = PyObject_GetAttr(node, name_tag);
    if (tag == NULL) {
        return NULL;
    }
    PyObject *result = NULL;
    int kind = PyObject_IsInstance(node, plain->scalar_kind);
    if (kind > 0) {
        result = construct_scalar(loader, node, tag, plain);
    }
    else if (kind == 0 && depth > plain->max_depth) {
        result = not_plain(plain);
    }
    else if (kind == 0) {
        int is_seq = same_tag(tag, plain->seq_tag);
        int of_kind = is_seq > 0 ? PyObject_IsInstance(node, plain->sequence_kind) : 0;
        int is_map = is_seq == 0 && of_kind == 0 ? same_tag(tag, plain->map_tag) : 0;
        if (is_map > 0) {
            of_kind = PyObject_IsInstance(node, plain->mapping_kind);
        }
        if (is_seq < 0 || is_map < 0 || of_kind < 0) {
            result = NULL;
        }
        else if (of_kind > 0) {
            PyObject *children = PyObject_GetAttr(node, name_value);
            if (children != NULL) {
                result = construct_collection(loader, children, is_seq == 0, depth, plain);
                Py_DECREF(children);
            }
        }
        else {
            result = not_plain(plain);
        }
    }
    Py_DECREF(tag);
    return result;
}

PyDoc_STRVAR(construct_doc,
"construct(constants, loader, node, depth) -> object\n\n"
"A YAML node made of mappings with scalar keys (none repeated), lists and scalars, built\n"
"directly; see yaml_loaders.construct_plain_python.");

static PyObject *construct(PyObject *module, PyObject *args)
{
    PyObject *constants, *loader, *node;
    Py_ssize_t depth;
    Plain plain;
    if (!PyArg_ParseTuple(args, "O!OOn", &PyTuple_Type, &constants, &loader, &node, &depth)) {
        return NULL;
    }
    if (!PyArg_ParseTuple(constants, "nOOOOOOOOO", &plain.max_depth, &plain.str_tag,
                          &plain.int_tag, &plain.seq_tag, &plain.map_tag, &plain.merge_tag,
                          &plain.scalar_kind, &plain.sequence_kind, &plain.mapping_kind,
                          &plain.not_plain)) {
        return NULL;
    }
    if (!PyExceptionClass_Check(plain.not_plain)) {
        PyErr_SetString(PyExc_TypeError, "the last constant must be an exception class");
        return NULL;
    }
    return construct_node(loader, node, depth, &plain);
}

/* ---- instances of frozen slots dataclasses --------------------------------------------- */

/* Where make() puts each value: the class and the offsets of its slots, in field order. */
typedef struct {
    PyTypeObject *type;
    Py_ssize_t count;
    Py_ssize_t offsets[];
} Plan;

static const char *const plan_name = "generator._kernels.plan";

static void plan_free(PyObject *capsule)
{
    Plan *plan = PyCapsule_GetPointer(capsule, plan_name);
    if (plan != NULL) {
        Py_DECREF(plan->type);
        PyMem_Free(plan);
    }
}

PyDoc_STRVAR(plan_doc,
"plan(cls, names, /) -> capsule\n\n"
"Where make() puts the values of the fields NAMES (a tuple of str, in order) of the slots\n"
"class CLS: each must be a slot (a plain object member) defined by CLS itself.");

static PyObject *plan(PyObject *module, PyObject *args)
{
    PyTypeObject *type;
    PyObject *names;
    if (!PyArg_ParseTuple(args, "O!O!", &PyType_Type, &type, &PyTuple_Type, &names)) {
        return NULL;
    }
    Py_ssize_t count = PyTuple_GET_SIZE(names);
    Plan *made = PyMem_Malloc(sizeof(Plan) + (size_t)count * sizeof(Py_ssize_t));
    if (made == NULL) {
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *name = PyTuple_GET_ITEM(names, i);
        PyObject *descr = PyUnicode_Check(name) ? PyDict_GetItemWithError(type->tp_dict, name)
                                                : NULL;
        if (descr == NULL || !Py_IS_TYPE(descr, &PyMemberDescr_Type)
                || ((PyMemberDescrObject *)descr)->d_member->type != T_OBJECT_EX
                || (((PyMemberDescrObject *)descr)->d_member->flags & READONLY)) {
            PyMem_Free(made);
            if (!PyErr_Occurred()) {
                PyErr_Format(PyExc_TypeError, "%R is not a slot of %R", name, (PyObject *)type);
            }
            return NULL;
        }
        made->offsets[i] = ((PyMemberDescrObject *)descr)->d_member->offset;
    }
    made->type = (PyTypeObject *)Py_NewRef((PyObject *)type);
    made->count = count;
    PyObject *capsule = PyCapsule_New(made, plan_name, plan_free);
    if (capsule == NULL) {
        Py_DECREF(type);
        PyMem_Free(made);
    }
    return capsule;
}

/* an instance of PLAN's class with its slots set to the COUNT values ITEMS */
static PyObject *fill_slots(const Plan *plan, PyObject *const *items, Py_ssize_t count)
{
    if (count != plan->count) {
        PyErr_Format(PyExc_TypeError, "%s takes %zd values, not %zd", plan->type->tp_name,
                     plan->count, count);
        return NULL;
    }
    PyObject *made = plan->type->tp_alloc(plan->type, 0);
    if (made == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject **slot = (PyObject **)((char *)made + plan->offsets[i]);
        Py_XSETREF(*slot, Py_NewRef(items[i]));
    }
    return made;
}

PyDoc_STRVAR(make_doc,
"make(plan, values, /) -> object\n\n"
"An instance of the class of PLAN (see plan()) with its fields set to VALUES (a tuple or\n"
"list, in order), without calling __init__: kernels.maker's cls(*values).");

static PyObject *make(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "make() takes a plan and the values");
        return NULL;
    }
    Plan *plan = PyCapsule_GetPointer(args[0], plan_name);
    if (plan == NULL) {
        return NULL;
    }
    PyObject *values = args[1];
    Py_ssize_t count;
    PyObject **items;
    if (PyTuple_Check(values)) {
        count = PyTuple_GET_SIZE(values);
        items = &PyTuple_GET_ITEM(values, 0);
    }
    else if (PyList_Check(values)) {
        count = PyList_GET_SIZE(values);
        items = PySequence_Fast_ITEMS(values);
    }
    else {
        PyErr_SetString(PyExc_TypeError, "make() takes the values as a tuple or a list");
        return NULL;
    }
    return fill_slots(plan, items, count);
}

/* ---- the site's articles ------------------------------------------------------------- */

static PyObject *name_source, *name_topics, *name_related_keys, *name_id, *name_members;

/* dict[key], borrowed; NULL with KeyError set where it is missing */
static PyObject *item_of(PyObject *dict, PyObject *key)
{
    PyObject *found = PyDict_GetItemWithError(dict, key);
    if (found == NULL && !PyErr_Occurred()) {
        PyErr_SetObject(PyExc_KeyError, key);
    }
    return found;
}

/* model._related_finder's find: by_url[url_key] if url_key, else by_title.get(title_key);
 * borrowed (Py_None where neither has it) */
static PyObject *find_related(PyObject *key, PyObject *by_url, PyObject *by_title)
{
    if (!PyTuple_Check(key) || PyTuple_GET_SIZE(key) != 2) {
        PyErr_SetString(PyExc_TypeError, "a related key is a (url key, title key) tuple");
        return NULL;
    }
    PyObject *url_key = PyTuple_GET_ITEM(key, 0), *found = NULL;
    int truth = PyObject_IsTrue(url_key);
    if (truth < 0) {
        return NULL;
    }
    if (truth) {
        found = PyDict_GetItemWithError(by_url, url_key);
    }
    if (found == NULL || found == Py_None) {
        if (PyErr_Occurred()) {
            return NULL;
        }
        found = PyDict_GetItemWithError(by_title, PyTuple_GET_ITEM(key, 1));
        if (found == NULL) {
            return PyErr_Occurred() ? NULL : Py_None;
        }
    }
    return found;
}

/* a tuple of what each item of ITEMS (a tuple) maps to: item_of(dict) or find_related */
static PyObject *map_items(PyObject *items, PyObject *dict, PyObject *by_url, PyObject *by_title)
{
    if (!PyTuple_Check(items)) {
        PyErr_SetString(PyExc_TypeError, "a story's topics and related keys are tuples");
        return NULL;
    }
    Py_ssize_t count = PyTuple_GET_SIZE(items);
    PyObject *mapped = PyTuple_New(count);
    for (Py_ssize_t i = 0; mapped != NULL && i < count; i++) {
        PyObject *item = PyTuple_GET_ITEM(items, i);
        PyObject *found = dict != NULL ? item_of(dict, item)
                                       : find_related(item, by_url, by_title);
        if (found == NULL) {
            Py_CLEAR(mapped);
        }
        else {
            PyTuple_SET_ITEM(mapped, i, Py_NewRef(found));
        }
    }
    return mapped;
}

PyDoc_STRVAR(heads_doc,
"heads(stories, slugs, refs, by_url, by_title, body_of, /) -> list\n\n"
"Each article's fields but those of its event: model.heads_python.");

static PyObject *heads(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 6) {
        PyErr_SetString(PyExc_TypeError, "heads() takes 6 arguments");
        return NULL;
    }
    PyObject *slugs = args[1], *refs = args[2], *by_url = args[3], *by_title = args[4],
             *body_of = args[5];
    for (int i = 1; i < 6; i++) {
        if (!PyDict_Check(args[i])) {
            PyErr_SetString(PyExc_TypeError, "heads() takes the stories and five dicts");
            return NULL;
        }
    }
    PyObject *stories = PySequence_Fast(args[0], "heads() takes a sequence of stories");
    if (stories == NULL) {
        return NULL;
    }
    Py_ssize_t count = PySequence_Fast_GET_SIZE(stories);
    PyObject **items = PySequence_Fast_ITEMS(stories);
    PyObject *made = PyList_New(count);
    for (Py_ssize_t i = 0; made != NULL && i < count; i++) {
        PyObject *story = items[i], *head = NULL, *topics = NULL, *related = NULL;
        PyObject *source = PyObject_GetAttr(story, name_source);
        PyObject *field = NULL, *slug = NULL, *body = NULL;
        if (source == NULL || (slug = item_of(slugs, source)) == NULL) {
            goto failed;
        }
        if ((field = PyObject_GetAttr(story, name_topics)) == NULL
                || (topics = map_items(field, refs, NULL, NULL)) == NULL) {
            goto failed;
        }
        Py_CLEAR(field);
        if ((field = PyObject_GetAttr(story, name_related_keys)) == NULL
                || (related = map_items(field, NULL, by_url, by_title)) == NULL) {
            goto failed;
        }
        body = PyDict_GetItemWithError(body_of, source);
        if (body == NULL && PyErr_Occurred()) {
            goto failed;
        }
        head = PyTuple_Pack(5, story, slug, topics, related, body != NULL ? body : Py_None);
    failed:
        Py_XDECREF(source);
        Py_XDECREF(field);
        Py_XDECREF(topics);
        Py_XDECREF(related);
        if (head == NULL) {
            Py_CLEAR(made);
        }
        else {
            PyList_SET_ITEM(made, i, head);
        }
    }
    Py_DECREF(stories);
    return made;
}

/* model.event_fields appended to HEAD: a new tuple of its items, then the event's id, the
 * story's coverage and its computed related stories */
static PyObject *with_event(PyObject *head, PyObject *cluster_of, PyObject *related)
{
    if (!PyTuple_Check(head) || PyTuple_GET_SIZE(head) < 2) {
        PyErr_SetString(PyExc_TypeError, "a head is a tuple holding the slug second");
        return NULL;
    }
    Py_ssize_t size = PyTuple_GET_SIZE(head);
    PyObject *slug = PyTuple_GET_ITEM(head, 1);
    PyObject *computed = PyDict_GetItemWithError(related, slug);
    if (computed == NULL && PyErr_Occurred()) {
        return NULL;
    }
    PyObject *cluster = PyDict_GetItemWithError(cluster_of, slug);
    if (cluster == NULL && PyErr_Occurred()) {
        return NULL;
    }
    PyObject *id = NULL, *coverage = NULL;
    if (cluster == NULL) {
        id = Py_NewRef(slug);
        coverage = PyTuple_New(0);
    }
    else {
        PyObject *members = PyObject_GetAttr(cluster, name_members);
        if (members == NULL || (id = PyObject_GetAttr(cluster, name_id)) == NULL) {
            Py_XDECREF(members);
            return NULL;
        }
        if (!PyTuple_Check(members) || PyTuple_GET_SIZE(members) == 0) {
            PyErr_SetString(PyExc_TypeError, "an event's members are a tuple of slugs");
        }
        else {
            Py_ssize_t count = PyTuple_GET_SIZE(members);
            int first = PyObject_RichCompareBool(PyTuple_GET_ITEM(members, 0), slug, Py_EQ);
            if (first > 0) {
                coverage = PyTuple_GetSlice(members, 1, count);
            }
            else if (first == 0) {  /* every member but the story, in order */
                PyObject *others = PyList_New(0);
                for (Py_ssize_t i = 0; others != NULL && i < count; i++) {
                    PyObject *member = PyTuple_GET_ITEM(members, i);
                    int same = PyObject_RichCompareBool(member, slug, Py_EQ);
                    if (same < 0 || (same == 0 && PyList_Append(others, member) < 0)) {
                        Py_CLEAR(others);
                    }
                }
                if (others != NULL) {
                    coverage = PyList_AsTuple(others);
                    Py_DECREF(others);
                }
            }
        }
        Py_DECREF(members);
    }
    PyObject *joined = NULL;
    if (coverage != NULL && (joined = PyTuple_New(size + 3)) != NULL) {
        for (Py_ssize_t i = 0; i < size; i++) {
            PyTuple_SET_ITEM(joined, i, Py_NewRef(PyTuple_GET_ITEM(head, i)));
        }
        PyTuple_SET_ITEM(joined, size, Py_NewRef(id));
        PyTuple_SET_ITEM(joined, size + 1, Py_NewRef(coverage));
        PyTuple_SET_ITEM(joined, size + 2,
                         computed != NULL ? Py_NewRef(computed) : PyTuple_New(0));
        if (PyTuple_GET_ITEM(joined, size + 2) == NULL) {
            Py_CLEAR(joined);
        }
    }
    Py_XDECREF(id);
    Py_XDECREF(coverage);
    return joined;
}

PyDoc_STRVAR(articles_doc,
"articles(plan, heads, cluster_of, related, /) -> tuple\n\n"
"The site's articles from their heads and the events: model.articles_python, each made\n"
"as make(plan, values) makes it (the plan looked up once).");

static PyObject *articles(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError, "articles() takes 4 arguments");
        return NULL;
    }
    if (!PyList_Check(args[1]) || !PyDict_Check(args[2]) || !PyDict_Check(args[3])) {
        PyErr_SetString(PyExc_TypeError, "articles() takes a plan, a list and two dicts");
        return NULL;
    }
    const Plan *plan = PyCapsule_GetPointer(args[0], plan_name);  /* (once, not per article) */
    if (plan == NULL) {
        return NULL;
    }
    PyObject *heads = args[1];
    Py_ssize_t count = PyList_GET_SIZE(heads);
    PyObject *made = PyTuple_New(count);
    for (Py_ssize_t i = 0; made != NULL && i < count; i++) {
        PyObject *values = with_event(PyList_GET_ITEM(heads, i), args[2], args[3]);
        PyObject *article = values != NULL
            ? fill_slots(plan, &PyTuple_GET_ITEM(values, 0), PyTuple_GET_SIZE(values)) : NULL;
        Py_XDECREF(values);
        if (article == NULL) {
            Py_CLEAR(made);
        }
        else {
            PyTuple_SET_ITEM(made, i, article);
        }
    }
    return made;
}

static PyObject *name_url_keys, *name_title_link, *name_title_key;

PyDoc_STRVAR(related_keys_doc,
"related_keys(stories, slugs, link_key, /) -> (by_url, by_title)\n\n"
"Each story's slug by its URL keys and by its title's key, the first story having each:\n"
"model.related_keys_python.");

static PyObject *related_keys(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyDict_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "related_keys() takes the stories, a dict, link_key");
        return NULL;
    }
    PyObject *stories = PySequence_Fast(args[0], "related_keys() takes a sequence of stories");
    if (stories == NULL) {
        return NULL;
    }
    PyObject *by_url = PyDict_New(), *by_title = PyDict_New();
    int failed = by_url == NULL || by_title == NULL;
    for (Py_ssize_t i = 0; !failed && i < PySequence_Fast_GET_SIZE(stories); i++) {
        PyObject *story = PySequence_Fast_GET_ITEM(stories, i), *slug = NULL;
        PyObject *source = PyObject_GetAttr(story, name_source);
        PyObject *urls = NULL, *title = NULL;
        failed = source == NULL || (slug = item_of(args[1], source)) == NULL
                 || (urls = PyObject_GetAttr(story, name_url_keys)) == NULL
                 || (title = PyObject_GetAttr(story, name_title_link)) == NULL;
        if (!failed && !PyTuple_Check(urls)) {
            PyErr_SetString(PyExc_TypeError, "a story's url_keys are a tuple");
            failed = 1;
        }
        for (Py_ssize_t j = 0; !failed && j < PyTuple_GET_SIZE(urls); j++) {
            failed = PyDict_SetDefault(by_url, PyTuple_GET_ITEM(urls, j), slug) == NULL;
        }
        int truth = failed ? 1 : PyObject_IsTrue(title);
        if (truth == 0) {  /* (a summary made without it) */
            PyObject *text = PyObject_GetAttr(story, name_title_key);
            Py_SETREF(title, text != NULL ? PyObject_CallOneArg(args[2], text) : NULL);
            Py_XDECREF(text);
        }
        failed = failed || truth < 0 || title == NULL;
        if (!failed) {
            failed = PyDict_SetDefault(by_title, title, slug) == NULL;
        }
        Py_XDECREF(source);
        Py_XDECREF(urls);
        Py_XDECREF(title);
    }
    Py_DECREF(stories);
    if (failed) {
        Py_XDECREF(by_url);
        Py_XDECREF(by_title);
        return NULL;
    }
    return Py_BuildValue("(NN)", by_url, by_title);
}

static PyObject *name_computed_related, *name_summary, *name_slug;

/* whether an item of TUPLE is in SET: 1, 0, or -1 on an error */
static int any_in(PyObject *tuple, PyObject *set)
{
    if (!PyTuple_Check(tuple)) {
        PyErr_SetString(PyExc_TypeError, "computed_related and related_keys are tuples");
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(tuple); i++) {
        int found = PySet_Contains(set, PyTuple_GET_ITEM(tuple, i));
        if (found != 0) {
            return found;
        }
    }
    return 0;
}

/* whether the article's slug is in ALSO, or it shows one of SLUGS among its computed
 * related stories, or has a related[] entry with one of KEYS: 1, 0, or -1 on an error */
static int refers(PyObject *article, PyObject *slugs, PyObject *keys, PyObject *also)
{
    PyObject *slug = PyObject_GetAttr(article, name_slug);
    int listed = slug != NULL ? PySet_Contains(also, slug) : -1;
    Py_XDECREF(slug);
    if (listed != 0) {
        return listed;
    }
    PyObject *computed = PyObject_GetAttr(article, name_computed_related);
    if (computed == NULL) {
        return -1;
    }
    int found = any_in(computed, slugs);
    Py_DECREF(computed);
    if (found != 0) {
        return found;
    }
    PyObject *summary = PyObject_GetAttr(article, name_summary);
    PyObject *pairs = summary != NULL ? PyObject_GetAttr(summary, name_related_keys) : NULL;
    Py_XDECREF(summary);
    if (pairs == NULL) {
        return -1;
    }
    if (!PyTuple_Check(pairs)) {
        found = any_in(pairs, keys);  /* (raises its TypeError) */
    }
    for (Py_ssize_t i = 0; found == 0 && i < PyTuple_GET_SIZE(pairs); i++) {
        found = any_in(PyTuple_GET_ITEM(pairs, i), keys);
    }
    Py_DECREF(pairs);
    return found;
}

PyDoc_STRVAR(referring_doc,
"referring(articles, slugs, keys, also, /) -> list\n\n"
"The articles whose slug is in ALSO, or that show one of SLUGS among their computed\n"
"related stories, or have a related[] entry with one of KEYS, in order:\n"
"relisting.referring_python.");

static PyObject *referring(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4 || !PyAnySet_Check(args[1]) || !PyAnySet_Check(args[2])
            || !PyAnySet_Check(args[3])) {
        PyErr_SetString(PyExc_TypeError, "referring() takes the articles and three sets");
        return NULL;
    }
    PyObject *articles = PySequence_Fast(args[0], "referring() takes a sequence of articles");
    if (articles == NULL) {
        return NULL;
    }
    PyObject *found = PyList_New(0);
    for (Py_ssize_t i = 0; found != NULL && i < PySequence_Fast_GET_SIZE(articles); i++) {
        PyObject *article = PySequence_Fast_GET_ITEM(articles, i);
        int refer = refers(article, args[1], args[2], args[3]);
        if (refer < 0 || (refer > 0 && PyList_Append(found, article) < 0)) {
            Py_CLEAR(found);
        }
    }
    Py_DECREF(articles);
    return found;
}

/* ---- the output's files, changed since the last build ---------------------------------- */

PyDoc_STRVAR(changed_doc,
"changed(folder, rels, since, /) -> list\n\n"
"The paths of RELS (relative to the open folder FOLDER) that name no regular file, or one\n"
"whose status or bytes changed after SINCE (nanoseconds): output.changed_files_python.");

static long long changed_at(const struct stat *info)
{
    long long status = (long long)info->st_ctim.tv_sec * 1000000000LL + info->st_ctim.tv_nsec;
    long long bytes = (long long)info->st_mtim.tv_sec * 1000000000LL + info->st_mtim.tv_nsec;
    return status > bytes ? status : bytes;
}

static PyObject *changed(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_SetString(PyExc_TypeError, "changed() takes a folder, the paths and a time");
        return NULL;
    }
    int folder = (int)PyLong_AsLong(args[0]);
    long long since = PyLong_AsLongLong(args[2]);
    if (PyErr_Occurred()) {
        return NULL;
    }
    PyObject *rels = PyObject_GetIter(args[1]);
    if (rels == NULL) {
        return NULL;
    }
    PyObject *found = PyList_New(0);
    PyObject *rel;
    while (found != NULL && (rel = PyIter_Next(rels)) != NULL) {
        PyObject *encoded = PyUnicode_Check(rel) ? PyUnicode_EncodeFSDefault(rel) : NULL;
        struct stat info;
        if (encoded == NULL) {
            if (!PyErr_Occurred()) {
                PyErr_SetString(PyExc_TypeError, "changed() takes paths as str");
            }
            Py_CLEAR(found);
        } else if (fstatat(folder, PyBytes_AS_STRING(encoded), &info, 0) != 0
                   || !S_ISREG(info.st_mode) || changed_at(&info) > since) {
            if (PyList_Append(found, rel) < 0) {
                Py_CLEAR(found);
            }
        }
        Py_XDECREF(encoded);
        Py_DECREF(rel);
    }
    Py_DECREF(rels);
    if (PyErr_Occurred()) {
        Py_CLEAR(found);
    }
    return found;
}

/* ---- the module ----------------------------------------------------------------------- */

static PyMethodDef methods[] = {
    {"dot", (PyCFunction)(void (*)(void))dot, METH_FASTCALL, dot_doc},
    {"overlaps", overlaps, METH_VARARGS, overlaps_doc},
    {"rank", rank, METH_VARARGS, rank_doc},
    {"join", join_links, METH_VARARGS, join_doc},
    {"vectors", vectors, METH_VARARGS, vectors_doc},
    {"ignore", (PyCFunction)(void (*)(void))ignore, METH_FASTCALL, ignore_doc},
    {"resolve", (PyCFunction)(void (*)(void))resolve, METH_FASTCALL, resolve_doc},
    {"construct", construct, METH_VARARGS, construct_doc},
    {"plan", plan, METH_VARARGS, plan_doc},
    {"make", (PyCFunction)(void (*)(void))make, METH_FASTCALL, make_doc},
    {"heads", (PyCFunction)(void (*)(void))heads, METH_FASTCALL, heads_doc},
    {"articles", (PyCFunction)(void (*)(void))articles, METH_FASTCALL, articles_doc},
    {"referring", (PyCFunction)(void (*)(void))referring, METH_FASTCALL, referring_doc},
    {"related_keys", (PyCFunction)(void (*)(void))related_keys, METH_FASTCALL,
     related_keys_doc},
    {"changed", (PyCFunction)(void (*)(void))changed, METH_FASTCALL, changed_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    "generator._kernels",
    "Compiled inner loops of clustering and ranking (see generator/kernels.py).",
    0,
    methods,
};

/* generator/kernels.py uses these functions only when its VERSION is this one: a build left
 * from other sources (an older checkout) is not run. Raise it with any change here. */
#define VERSION 8

PyMODINIT_FUNC PyInit__kernels(void)
{
    name_tag = PyUnicode_InternFromString("tag");
    name_value = PyUnicode_InternFromString("value");
    name_match = PyUnicode_InternFromString("match");
    name_construct_object = PyUnicode_InternFromString("construct_object");
    name_source = PyUnicode_InternFromString("source");
    name_topics = PyUnicode_InternFromString("topics");
    name_related_keys = PyUnicode_InternFromString("related_keys");
    name_id = PyUnicode_InternFromString("id");
    name_members = PyUnicode_InternFromString("members");
    name_computed_related = PyUnicode_InternFromString("computed_related");
    name_summary = PyUnicode_InternFromString("summary");
    name_slug = PyUnicode_InternFromString("slug");
    name_url_keys = PyUnicode_InternFromString("url_keys");
    name_title_link = PyUnicode_InternFromString("title_link");
    name_title_key = PyUnicode_InternFromString("title_key");
    if (name_tag == NULL || name_value == NULL || name_match == NULL
            || name_construct_object == NULL || name_source == NULL || name_topics == NULL
            || name_related_keys == NULL || name_id == NULL || name_members == NULL
            || name_computed_related == NULL || name_summary == NULL || name_url_keys == NULL
            || name_title_link == NULL || name_title_key == NULL || name_slug == NULL) {
        return NULL;
    }
    PyObject *created = PyModule_Create(&module);
    if (created != NULL && PyModule_AddIntConstant(created, "VERSION", VERSION) < 0) {
        Py_DECREF(created);
        return NULL;
    }
    return created;
}
