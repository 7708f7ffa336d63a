# ward_embed.cmake: embeds the example policy repository (examples/repo) in
# the ward binary, so that `ward init` works wherever ward is installed.
#
#   cmake -DSRC=examples/repo -DOUT=<build>/generated/init_files.c -P cmake/ward_embed.cmake
#
# writes a C file defining `const struct init_file init_files[]` (path
# relative to the repository root, bytes, length), sorted by path. The build
# runs it whenever a file of examples/repo changes (CMakeLists.txt);
# tests/unit/test_govern_init.c checks that the embedded copy is complete.
if(NOT SRC OR NOT OUT)
  message(FATAL_ERROR "usage: cmake -DSRC=dir -DOUT=file.c -P ward_embed.cmake")
endif()
file(REAL_PATH "${SRC}" SRC BASE_DIRECTORY "$ENV{PWD}")
file(GLOB_RECURSE files LIST_DIRECTORIES false RELATIVE "${SRC}" "${SRC}/*")
list(SORT files)
set(body "")
set(table "")
set(i 0)
foreach(f ${files})
  if(f MATCHES "(^|/)\\." OR f MATCHES "~$")
    continue()
  endif()
  file(READ ${SRC}/${f} hex HEX)
  string(LENGTH "${hex}" hexlen)
  math(EXPR len "${hexlen} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n\t" bytes "${bytes}")
  string(APPEND body "static const unsigned char file_${i}[] = {\n\t${bytes}0x00};\n")
  string(APPEND table "\t{\"${f}\", file_${i}, ${len}},\n")
  math(EXPR i "${i} + 1")
endforeach()
file(WRITE ${OUT} "/* init_files: the example policy repository, embedded for `ward init`.
 *
 * GENERATED at build time by cmake/ward_embed.cmake from examples/repo.
 */
#include \"govern/init.h\"

${body}
const struct init_file init_files[] = {
${table}\t{0, 0, 0},
};
")
