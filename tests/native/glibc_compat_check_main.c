/* Runs the checks of glibc_compat_check.cpp (a shared library linked like liblamina.so). */
int lamina_glibc_compat_check(void);

int main(void) { return lamina_glibc_compat_check() == 0 ? 0 : 1; }
