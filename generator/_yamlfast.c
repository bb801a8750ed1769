/* Front matter straight from libyaml's events to Python values (see generator/yamlio.py).
 *
 * PyYAML's C loader still makes a Python event and a Python node for every value, and asks
 * Python for every node's tag: of the 0.2 ms a story's front matter takes, libyaml's own
 * parsing is 0.04 ms. ``load`` builds dicts, lists, strings and plain decimal integers as
 * the events come, and hands back its ``fallback`` constant for anything else (an anchor,
 * an alias, an explicit tag, a key that is not a scalar, a key given twice in a mapping,
 * nesting deeper than the limit, several documents, a syntax error, a value its ``other``
 * callback refuses): the caller then loads the text the standard way, which gives the
 * verdict and the line (and, for a repeated key, finds the keys repeated). So a document
 * loads here exactly as the standard path loads it, or not at all.
 *
 * Built apart from generator/_kernels.c because it links libyaml (``libyaml-dev``): where
 * that is missing, only this extension is left out (setup.py: ``optional``).
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <yaml.h>

typedef struct {
    yaml_parser_t parser;
    yaml_event_t event;      /* the current event, while ``has_event`` */
    int has_event;
    int give_up;             /* set: the caller must load the document the standard way */
    Py_ssize_t max_depth;    /* deepest nesting of collections built here (root is 1) */
    PyObject *known;         /* dict: plain scalar -> tag, filled by ``resolve`` */
    PyObject *resolve;       /* callable(scalar kind, value, implicit) -> tag */
    PyObject *scalar_kind;   /* yaml.nodes.ScalarNode (what ``resolve`` is told) */
    PyObject *implicit;      /* (True, False): how a plain scalar is implicit */
    PyObject *other;         /* callable(tag, value) -> value, for other tags */
    PyObject *str_tag;
    PyObject *int_tag;
} Loader;

static int next_event(Loader *loader)
{
    if (loader->has_event) {
        yaml_event_delete(&loader->event);
        loader->has_event = 0;
    }
    if (!yaml_parser_parse(&loader->parser, &loader->event)) {
        loader->give_up = 1;  /* a syntax error: the standard path words it */
        return -1;
    }
    loader->has_event = 1;
    return 0;
}

static PyObject *give_up(Loader *loader)
{
    loader->give_up = 1;
    return NULL;
}

/* A tag that asks for nothing: none at all, or the non-specific "!" */
static int untagged(const yaml_char_t *tag)
{
    return tag == NULL || (tag[0] == '!' && tag[1] == '\0');
}

/* Whether ``value`` is what construct_yaml_int reads as a plain decimal: an optional sign,
 * then "0" or digits without a leading zero (no "_", no base prefix, no ":"). */
static int plain_decimal(const char *text, Py_ssize_t length)
{
    Py_ssize_t at = 0;
    if (length > 0 && (text[0] == '-' || text[0] == '+')) {
        at = 1;
    }
    if (at == length) {
        return 0;
    }
    if (text[at] == '0') {
        return length - at == 1;
    }
    for (Py_ssize_t i = at; i < length; i++) {
        if (text[i] < '0' || text[i] > '9') {
            return 0;
        }
    }
    return 1;
}

/* Tags are compared by value: the resolver's tables hold their own copies of the strings */
static int same_tag(PyObject *tag, PyObject *wanted)
{
    return tag == wanted || (PyUnicode_Check(tag) && PyUnicode_Compare(tag, wanted) == 0);
}

static PyObject *build_scalar(Loader *loader)
{
    yaml_event_t *event = &loader->event;
    if (event->data.scalar.anchor != NULL || event->data.scalar.tag != NULL) {
        return give_up(loader);
    }
    const char *text = (const char *)event->data.scalar.value;
    Py_ssize_t length = (Py_ssize_t)event->data.scalar.length;
    PyObject *value = PyUnicode_DecodeUTF8(text, length, "strict");
    if (value == NULL || !event->data.scalar.plain_implicit) {
        return value;  /* quoted, literal or folded: always a string */
    }
    PyObject *tag = PyDict_GetItemWithError(loader->known, value);
    if (tag != NULL) {
        Py_INCREF(tag);
    } else if (PyErr_Occurred()) {
        Py_DECREF(value);
        return NULL;
    } else {
        tag = PyObject_CallFunctionObjArgs(loader->resolve, loader->scalar_kind, value,
                                           loader->implicit, NULL);
        if (tag == NULL) {
            Py_DECREF(value);
            return NULL;
        }
    }
    PyObject *result;
    if (same_tag(tag, loader->str_tag)) {
        result = value;
        Py_INCREF(result);
    } else if (same_tag(tag, loader->int_tag) && plain_decimal(text, length)) {
        result = PyLong_FromString(text, NULL, 10);
    } else {
        result = PyObject_CallFunctionObjArgs(loader->other, tag, value, NULL);
    }
    Py_DECREF(tag);
    Py_DECREF(value);
    return result;
}

static PyObject *build_node(Loader *loader, Py_ssize_t depth);

static PyObject *build_sequence(Loader *loader, Py_ssize_t depth)
{
    yaml_event_t *event = &loader->event;
    if (event->data.sequence_start.anchor != NULL
            || !untagged(event->data.sequence_start.tag) || depth > loader->max_depth) {
        return give_up(loader);
    }
    PyObject *list = PyList_New(0);
    if (list == NULL) {
        return NULL;
    }
    while (next_event(loader) == 0) {
        if (loader->event.type == YAML_SEQUENCE_END_EVENT) {
            return list;
        }
        PyObject *item = build_node(loader, depth + 1);
        if (item == NULL || PyList_Append(list, item) < 0) {
            Py_XDECREF(item);
            break;
        }
        Py_DECREF(item);
    }
    Py_DECREF(list);
    return NULL;
}

static PyObject *build_mapping(Loader *loader, Py_ssize_t depth)
{
    yaml_event_t *event = &loader->event;
    if (event->data.mapping_start.anchor != NULL
            || !untagged(event->data.mapping_start.tag) || depth > loader->max_depth) {
        return give_up(loader);
    }
    PyObject *dict = PyDict_New();
    if (dict == NULL) {
        return NULL;
    }
    while (next_event(loader) == 0) {
        if (loader->event.type == YAML_MAPPING_END_EVENT) {
            return dict;
        }
        if (loader->event.type != YAML_SCALAR_EVENT) {
            give_up(loader);  /* a complex key (or an alias): the standard path */
            break;
        }
        PyObject *key = build_scalar(loader);  /* ("<<" resolves to merge: ``other`` refuses) */
        if (key == NULL) {
            break;
        }
        PyObject *value = next_event(loader) == 0 ? build_node(loader, depth + 1) : NULL;
        Py_ssize_t size = PyDict_GET_SIZE(dict);
        int failed = value == NULL || PyDict_SetItem(dict, key, value) < 0;
        Py_DECREF(key);
        Py_XDECREF(value);
        if (failed) {
            break;
        }
        if (PyDict_GET_SIZE(dict) == size) {
            give_up(loader);  /* a key given twice: the standard path finds which */
            break;
        }
    }
    Py_DECREF(dict);
    return NULL;
}

static PyObject *build_node(Loader *loader, Py_ssize_t depth)
{
    switch (loader->event.type) {
    case YAML_SCALAR_EVENT:
        return build_scalar(loader);
    case YAML_SEQUENCE_START_EVENT:
        return build_sequence(loader, depth);
    case YAML_MAPPING_START_EVENT:
        return build_mapping(loader, depth);
    default:  /* an alias */
        return give_up(loader);
    }
}

/* stream start, then either stream end (no document: None) or one document, stream end */
static PyObject *build_stream(Loader *loader)
{
    if (next_event(loader) < 0 || loader->event.type != YAML_STREAM_START_EVENT
            || next_event(loader) < 0) {
        return give_up(loader);
    }
    if (loader->event.type == YAML_STREAM_END_EVENT) {
        Py_RETURN_NONE;
    }
    if (loader->event.type != YAML_DOCUMENT_START_EVENT || next_event(loader) < 0) {
        return give_up(loader);
    }
    PyObject *data = build_node(loader, 1);
    if (data == NULL) {
        return NULL;
    }
    if (next_event(loader) < 0 || loader->event.type != YAML_DOCUMENT_END_EVENT
            || next_event(loader) < 0 || loader->event.type != YAML_STREAM_END_EVENT) {
        Py_DECREF(data);  /* a second document, or an error after the first */
        return give_up(loader);
    }
    return data;
}

PyDoc_STRVAR(load_doc,
"load(constants, text) -> the value of the one YAML document in ``text``, or ``fallback``\n\n"
"``constants``: (max_depth, known, resolve, scalar_kind, implicit, other, str_tag, int_tag,\n"
"fallback). ``fallback`` comes back for anything but untagged, anchor-free mappings (with\n"
"scalar keys, none repeated), lists and scalars nested ``max_depth`` deep at most, and for\n"
"any error (of the parser, or raised by ``resolve`` or ``other``).");

static PyObject *load(PyObject *module, PyObject *args)
{
    PyObject *constants, *text, *fallback;
    Loader loader;
    if (!PyArg_ParseTuple(args, "O!U", &PyTuple_Type, &constants, &text)) {
        return NULL;
    }
    if (!PyArg_ParseTuple(constants, "nO!OOOOUUO", &loader.max_depth, &PyDict_Type,
                          &loader.known, &loader.resolve, &loader.scalar_kind, &loader.implicit,
                          &loader.other, &loader.str_tag, &loader.int_tag, &fallback)) {
        return NULL;
    }
    Py_ssize_t length;
    const char *utf8 = PyUnicode_AsUTF8AndSize(text, &length);
    if (utf8 == NULL) {
        PyErr_Clear();  /* (lone surrogates): the standard path words it */
        Py_INCREF(fallback);
        return fallback;
    }
    if (!yaml_parser_initialize(&loader.parser)) {
        return PyErr_NoMemory();
    }
    yaml_parser_set_input_string(&loader.parser, (const unsigned char *)utf8, (size_t)length);
    yaml_parser_set_encoding(&loader.parser, YAML_UTF8_ENCODING);
    loader.has_event = 0;
    loader.give_up = 0;
    PyObject *data = build_stream(&loader);
    if (loader.has_event) {
        yaml_event_delete(&loader.event);
    }
    yaml_parser_delete(&loader.parser);
    if (data == NULL) {
        if (!loader.give_up && PyErr_ExceptionMatches(PyExc_MemoryError)) {
            return NULL;
        }
        PyErr_Clear();  /* a value ``other`` refused: the standard path raises it again */
        Py_INCREF(fallback);
        return fallback;
    }
    return data;
}

static PyMethodDef methods[] = {
    {"load", load, METH_VARARGS, load_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT,
    "generator._yamlfast",
    "Front matter from libyaml's events to Python values (see generator/yamlio.py).",
    0,
    methods,
};

/* generator/kernels.py uses ``load`` only when its YAML_VERSION is this one. Raise it with
 * any change here. */
#define VERSION 2

PyMODINIT_FUNC PyInit__yamlfast(void)
{
    PyObject *created = PyModule_Create(&module);
    if (created != NULL && PyModule_AddIntConstant(created, "VERSION", VERSION) < 0) {
        Py_DECREF(created);
        return NULL;
    }
    return created;
}
