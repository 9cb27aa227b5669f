// Grammar of the xLSTM cell DSL: a file holds `cell` and `kernel` definitions (dsl/README.md describes the language).
// Newlines end statements and sections (as `;` does), except inside ( ) and [ ], where the lexer drops them,
// and after the comma of a declaration list.
grammar Xlstm;

@lexer::members {
    // depth of open ( and [: a newline inside them continues the line
    private int nesting = 0;
}

file        : NL* (definition NL*)* EOF ;

// members and statements are separated by newlines or `;`
definition  : kind=(CELL | KERNEL) name=ID LPAREN (dims+=ID (COMMA dims+=ID)*)? RPAREN NL*
              LBRACE separator* (member (separator+ member)*)? separator* RBRACE ;

member      : section | block ;

section     : role=(INPUT | WEIGHT | STATE | OUTPUT | PARAM) declaration (COMMA NL* declaration)* ;

// `name: type = value`; which parts a role needs is checked after parsing, for clearer messages
declaration : name=ID (COLON type)? (ASSIGN literal)? ;

type        : name=ID (LBRACK dims+=ID (COMMA dims+=ID)* RBRACK)? ;

literal     : MINUS? NUMBER      # NumberLiteral
            | (TRUE | FALSE)     # BoolLiteral
            ;

block       : keyword=(STEP | BODY) NL* LBRACE separator* (statement (separator+ statement)*)? separator* RBRACE ;

separator   : NL | SEMI ;

statement   : target=(ID | NEXT_ID) ASSIGN expr ;

expr        : op=(MINUS | NOT) expr                          # Unary
            | expr op=(STAR | SLASH) expr                    # Binary
            | expr op=(PLUS | MINUS) expr                    # Binary
            | expr op=(LT | LE | GT | GE) expr               # Binary
            | expr op=(EQ | NE) expr                         # Binary
            | expr op=AND expr                               # Binary
            | expr op=OR expr                                # Binary
            | fn=ID LPAREN (args+=expr (COMMA args+=expr)*)? RPAREN  # Call
            | NUMBER                                         # Number
            | (TRUE | FALSE)                                 # Bool
            | ID                                             # Name
            | NEXT_ID                                        # NextName
            | LPAREN expr RPAREN                             # Parens
            ;

CELL    : 'cell' ;
KERNEL  : 'kernel' ;
INPUT   : 'input' ;
WEIGHT  : 'weight' ;
STATE   : 'state' ;
OUTPUT  : 'output' ;
PARAM   : 'param' ;
STEP    : 'step' ;
BODY    : 'body' ;
TRUE    : 'true' ;
FALSE   : 'false' ;

// `m'` is one token: the next value of state m (longest match beats ID)
NEXT_ID : ID_TEXT '\'' ;
ID      : ID_TEXT ;
NUMBER  : DIGIT+ ('.' DIGIT*)? EXPONENT? | '.' DIGIT+ EXPONENT? ;

LPAREN  : '(' { nesting++; } ;
RPAREN  : ')' { if (nesting > 0) nesting--; } ;
LBRACK  : '[' { nesting++; } ;
RBRACK  : ']' { if (nesting > 0) nesting--; } ;
// braces never occur inside ( or [: an unclosed one ends here instead of swallowing the rest of the file
LBRACE  : '{' { nesting = 0; } ;
RBRACE  : '}' { nesting = 0; } ;
COMMA   : ',' ;
COLON   : ':' ;
SEMI    : ';' ;
LE      : '<=' ;
GE      : '>=' ;
EQ      : '==' ;
NE      : '!=' ;
AND     : '&&' ;
OR      : '||' ;
LT      : '<' ;
GT      : '>' ;
NOT     : '!' ;
ASSIGN  : '=' ;
PLUS    : '+' ;
MINUS   : '-' ;
STAR    : '*' ;
SLASH   : '/' ;

NL      : '\r'? '\n' { if (nesting > 0) skip(); } ;
COMMENT : '//' ~[\r\n]* -> skip ;
WS      : [ \t\f]+ -> skip ;

fragment ID_TEXT  : [a-zA-Z_] [a-zA-Z_0-9]* ;
fragment DIGIT    : [0-9] ;
fragment EXPONENT : [eE] [+-]? DIGIT+ ;
