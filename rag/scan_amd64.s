#include "textflag.h"

// func dotsInt8AVX2(q *int16, codes *int8, stride, n int, out *int32)
// out[r] = Σ q[i]·codes[r·stride+i] for r < n; stride is a multiple of 16.
TEXT ·dotsInt8AVX2(SB), NOSPLIT, $0-40
	MOVQ q+0(FP), SI
	MOVQ codes+8(FP), DI
	MOVQ stride+16(FP), CX
	MOVQ n+24(FP), DX
	MOVQ out+32(FP), R8
	TESTQ DX, DX
	JE   done

row:
	VPXOR Y0, Y0, Y0
	VPXOR Y3, Y3, Y3
	XORQ  AX, AX // byte offset into the row
	MOVQ  CX, BX
	ANDQ  $-32, BX // whole pairs of 16-byte steps

pair:
	CMPQ      AX, BX
	JGE       single
	VPMOVSXBW (DI)(AX*1), Y1
	VPMOVSXBW 16(DI)(AX*1), Y2
	VPMADDWD  (SI)(AX*2), Y1, Y1
	VPMADDWD  32(SI)(AX*2), Y2, Y2
	VPADDD    Y1, Y0, Y0
	VPADDD    Y2, Y3, Y3
	ADDQ      $32, AX
	JMP       pair

single:
	CMPQ      AX, CX
	JGE       sum
	VPMOVSXBW (DI)(AX*1), Y1
	VPMADDWD  (SI)(AX*2), Y1, Y1
	VPADDD    Y1, Y0, Y0

sum:
	VPADDD       Y3, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0x4E, X0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0xB1, X0, X1
	VPADDD       X1, X0, X0
	MOVL         X0, R9
	MOVL         R9, (R8)
	ADDQ         $4, R8
	ADDQ         CX, DI
	DECQ         DX
	JNE          row

done:
	VZEROUPPER
	RET

// func dotsInt8VNNI(q *int8, codes *int8, stride, n int, out *int32, tail uint64, bias int32)
// out[r] = Σ q[i]·codes[r·stride+i] for r < n, 64 bytes per instruction:
// VPDPBUSD multiplies unsigned bytes by signed ones, so each code byte is
// read as code+128 (its top bit flipped) and bias = 128·Σq taken off the
// sum. Whole 64-byte steps, then the rest under the byte mask tail (zero
// when stride is a multiple of 64); q is zero-padded to a multiple of 64,
// so the masked-off bytes add nothing.
TEXT ·dotsInt8VNNI(SB), NOSPLIT, $0-52
	MOVQ q+0(FP), SI
	MOVQ codes+8(FP), DI
	MOVQ stride+16(FP), CX
	MOVQ n+24(FP), DX
	MOVQ out+32(FP), R8
	MOVQ tail+40(FP), R11
	MOVL bias+48(FP), R10
	TESTQ DX, DX
	JE   vdone
	MOVL         $0x80808080, AX
	VPBROADCASTD AX, Z7
	KMOVQ        R11, K1
	MOVQ         CX, BX
	ANDQ         $-64, BX

vrow:
	VPXORD Z0, Z0, Z0
	VPXORD Z3, Z3, Z3
	XORQ   AX, AX

vstep:
	CMPQ     AX, BX
	JGE      vtail
	VPXORD   (DI)(AX*1), Z7, Z1
	VPDPBUSD (SI)(AX*1), Z1, Z0
	ADDQ     $64, AX
	JMP      vstep

vtail:
	TESTQ      R11, R11
	JE         vsum
	VMOVDQU8.Z (DI)(AX*1), K1, Z2
	VPXORD     Z7, Z2, Z2
	VPDPBUSD   (SI)(AX*1), Z2, Z3

vsum:
	VPADDD        Z3, Z0, Z0
	VEXTRACTI64X4 $1, Z0, Y1
	VPADDD        Y1, Y0, Y0
	VEXTRACTI128  $1, Y0, X1
	VPADDD        X1, X0, X0
	VPSHUFD       $0x4E, X0, X1
	VPADDD        X1, X0, X0
	VPSHUFD       $0xB1, X0, X1
	VPADDD        X1, X0, X0
	MOVL          X0, R9
	SUBL          R10, R9
	MOVL          R9, (R8)
	ADDQ          $4, R8
	ADDQ          CX, DI
	DECQ          DX
	JNE           vrow

vdone:
	VZEROUPPER
	RET
