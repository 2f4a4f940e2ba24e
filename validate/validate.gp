# edgebench study --validate plot
# render from this directory: gnuplot validate.gp
set terminal pngcairo size 900,800 noenhanced font "DejaVu Sans,12"
set output 'validate.png'
set datafile missing "NaN"
set logscale xy
set xrange [1:1000]
set yrange [1:1000]
set size square
set grid xtics ytics mxtics mytics lc rgb "#e0e0e0"
set format x "%g"
set format y "%g"
set key top left box opaque
set title "edgebench study: predicted vs published latency (leave-one-out)\nmedian |error| 21 %, worst 2.10x over 14 figures"
set xlabel "published latency, ms"
set ylabel "predicted latency, ms"
plot x with lines lw 2 lc rgb "#000000" title "1:1", \
     2*x with lines dt 2 lc rgb "#888888" title "2x off", \
     0.5*x with lines dt 2 lc rgb "#888888" notitle, \
     'validate.dat' index 0 using 1:2 with points pt 5 ps 2 lc rgb "#3465a4" title "rpi3_32", \
     'validate.dat' index 0 using 1:2:3 with labels offset char 1,0.6 left font ",9" tc rgb "#3465a4" notitle, \
     'validate.dat' index 1 using 1:2 with points pt 7 ps 2 lc rgb "#f57900" title "rpi4", \
     'validate.dat' index 1 using 1:2:3 with labels offset char 1,0.6 left font ",9" tc rgb "#f57900" notitle, \
     'validate.dat' index 2 using 1:2 with points pt 9 ps 2 lc rgb "#4e9a06" title "rpi5", \
     'validate.dat' index 2 using 1:2:3 with labels offset char 1,0.6 left font ",9" tc rgb "#4e9a06" notitle
