// Schemas shared by tests that need more than the demo: a PostgreSQL university with a cycle
// (department head ↔ professor's department), composite keys, a composite foreign key, a
// self-reference (mentor), a junction table, CHECKs and literal DEFAULTs.
export const UNIVERSITY_DDL = `
      CREATE TABLE departments (
        dept_code varchar(6) PRIMARY KEY,
        name text NOT NULL UNIQUE,
        head_id integer,
        budget numeric(12,2) CHECK (budget >= 0)
      );
      CREATE TABLE professors (
        professor_id serial PRIMARY KEY,
        full_name text NOT NULL,
        email varchar(120) NOT NULL UNIQUE,
        dept_code varchar(6) NOT NULL REFERENCES departments (dept_code),
        hired_on date NOT NULL
      );
      ALTER TABLE departments ADD FOREIGN KEY (head_id) REFERENCES professors (professor_id);
      CREATE TABLE students (
        student_id bigserial PRIMARY KEY,
        first_name text NOT NULL,
        last_name text NOT NULL,
        email varchar(160) NOT NULL UNIQUE,
        mentor_id bigint REFERENCES students (student_id),
        status varchar(12) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'graduated', 'suspended')),
        gpa numeric(3,2) CHECK (gpa BETWEEN 0 AND 4),
        enrolled_on date NOT NULL
      );
      CREATE TABLE courses (
        dept_code varchar(6) NOT NULL REFERENCES departments (dept_code),
        course_no smallint NOT NULL CHECK (course_no BETWEEN 100 AND 999),
        title text NOT NULL,
        credits smallint NOT NULL DEFAULT 3 CHECK (credits BETWEEN 1 AND 6),
        PRIMARY KEY (dept_code, course_no)
      );
      CREATE TABLE sections (
        section_id integer PRIMARY KEY,
        dept_code varchar(6) NOT NULL,
        course_no smallint NOT NULL,
        professor_id integer REFERENCES professors (professor_id),
        term varchar(8) NOT NULL,
        capacity integer NOT NULL CHECK (capacity > 0),
        FOREIGN KEY (dept_code, course_no) REFERENCES courses (dept_code, course_no),
        UNIQUE (dept_code, course_no, term)
      );
      CREATE TABLE enrollments (
        student_id bigint NOT NULL REFERENCES students (student_id),
        section_id integer NOT NULL REFERENCES sections (section_id),
        grade varchar(2) CHECK (grade IN ('A', 'B', 'C', 'D', 'F')),
        PRIMARY KEY (student_id, section_id)
      );
    `;
