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
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

static PyObject *dot(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyDict_Check(args[0]) || !PyDict_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "dot(first: dict, second: dict)");
        return NULL;
    }
    PyObject *first = args[0], *second = args[1];
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
            return NULL;
        }
        PyObject *other = PyDict_GetItemWithError(second, term);
        if (other != NULL) {
            if (as_double(other, &theirs) < 0) {
                return NULL;
            }
        }
        else if (PyErr_Occurred()) {
            return NULL;
        }
        sum_add(&sum, mine * theirs);
    }
    return PyFloat_FromDouble(sum_result(&sum));
}

/* ---- a small map from story number to a running total ---------------------------------- */

/* Open addressing over a power-of-two table; numbers are >= 0, so -1 marks a free slot. */
typedef struct {
    Py_ssize_t *keys;
    double *totals;
    PyObject **objects; /* the number as the caller's int object (borrowed) */
    Py_ssize_t *order;  /* slots in first-insertion order */
    Py_ssize_t mask, count;
} Totals;

static int totals_init(Totals *map, Py_ssize_t most)
{
    Py_ssize_t size = 16;
    while (size < 2 * most) {
        size *= 2;
    }
    map->keys = PyMem_Malloc(size * sizeof(Py_ssize_t));
    map->totals = PyMem_Malloc(size * sizeof(double));
    map->objects = PyMem_Malloc(size * sizeof(PyObject *));
    map->order = PyMem_Malloc(size * sizeof(Py_ssize_t));
    if (!map->keys || !map->totals || !map->objects || !map->order) {
        PyMem_Free(map->keys);
        PyMem_Free(map->totals);
        PyMem_Free(map->objects);
        PyMem_Free(map->order);
        PyErr_NoMemory();
        return -1;
    }
    memset(map->keys, 0xff, size * sizeof(Py_ssize_t));
    map->mask = size - 1;
    map->count = 0;
    return 0;
}

static void totals_free(Totals *map)
{
    PyMem_Free(map->keys);
    PyMem_Free(map->totals);
    PyMem_Free(map->objects);
    PyMem_Free(map->order);
}

/* totals[key] = totals.get(key, 0.0) + x */
static inline void totals_add(Totals *map, Py_ssize_t key, PyObject *object, double x)
{
    Py_ssize_t slot = ((size_t)key * 0x9E3779B97F4A7C15ull >> 17) & map->mask;
    while (map->keys[slot] != -1) {
        if (map->keys[slot] == key) {
            map->totals[slot] = map->totals[slot] + x;
            return;
        }
        slot = (slot + 1) & map->mask;
    }
    map->keys[slot] = key;
    map->totals[slot] = 0.0 + x;
    map->objects[slot] = object;
    map->order[map->count++] = slot;
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
    Totals map;
    if (totals_init(&map, terms * (most + 1) + 1) < 0) {
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
            totals_add(&map, other, PyList_GET_ITEM(numbers, i), weight * theirs);
        }
    }
    PyObject *result = PyDict_New();
    if (result == NULL) {
        goto fail;
    }
    for (Py_ssize_t i = 0; i < map.count; i++) {
        Py_ssize_t slot = map.order[i];
        if (map.totals[slot] >= floor) {
            PyObject *value = PyFloat_FromDouble(map.totals[slot]);
            if (value == NULL || PyDict_SetItem(result, map.objects[slot], value) < 0) {
                Py_XDECREF(value);
                Py_DECREF(result);
                goto fail;
            }
            Py_DECREF(value);
        }
    }
    totals_free(&map);
    return result;
fail:
    totals_free(&map);
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

/* ---- the module ----------------------------------------------------------------------- */

static PyMethodDef methods[] = {
    {"dot", (PyCFunction)(void (*)(void))dot, METH_FASTCALL, dot_doc},
    {"overlaps", overlaps, METH_VARARGS, overlaps_doc},
    {"rank", rank, METH_VARARGS, rank_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    "generator._kernels",
    "Compiled inner loops of clustering and ranking (see generator/kernels.py).",
    0,
    methods,
};

PyMODINIT_FUNC PyInit__kernels(void)
{
    return PyModule_Create(&module);
}
