# Writes the copy of tfplugin6.proto that the C++ generator compiles: the
# wrapper message GetMetadata becomes GetMetadataRpc (see provider/CMakeLists.txt).
# Usage: cmake -DIN=<tfplugin6.proto> -DOUT=<copy> -P prepare_cpp_proto.cmake
file(READ ${IN} text)
string(REPLACE "message GetMetadata {" "message GetMetadataRpc {" text "${text}")
string(REPLACE "rpc GetMetadata(GetMetadata.Request) returns (GetMetadata.Response);"
               "rpc GetMetadata(GetMetadataRpc.Request) returns (GetMetadataRpc.Response);" text "${text}")
file(WRITE ${OUT} "${text}")
